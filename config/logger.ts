// Structured JSON logs (pino).
import { pino, type Logger } from 'pino';

/** Creates the process logger at the given level. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
