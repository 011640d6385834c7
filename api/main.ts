// `npm run start:api`: the API alone, against an existing Temporal server (TEMPORAL_ADDRESS) and database.
import { loadConfigOrExit } from '../config/config.ts';
import { createLogger } from '../config/logger.ts';
import { startApi } from './server.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'api');
const api = await startApi(config, logger, config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'api shutting down');
    void api.stop().then(() => process.exit(0));
  });
}
