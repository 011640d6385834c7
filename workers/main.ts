// `npm run start:worker`: the worker alone, against an existing Temporal server (TEMPORAL_ADDRESS).
import { loadConfigOrExit } from '../config/config.ts';
import { createLogger } from '../config/logger.ts';
import { startWorker } from './run.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'worker');
const worker = await startWorker(config, logger, config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'worker shutting down');
    void worker.stop().then(() => process.exit(0));
  });
}
await worker.done;
