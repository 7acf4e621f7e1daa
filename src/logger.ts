import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type prettyType from 'pino-pretty';

/** JSON lines when piped (CI, log shippers); readable, coloured lines on a terminal. */
export function createLogger(level: string, tty = process.stdout.isTTY): Logger {
  if (tty) {
    // Only a terminal needs the pretty printer (~40 ms to load): piped and CI runs never load it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof prettyType;
    return pino({ level }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level, base: undefined });
}
