import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** JSON lines when piped (CI, log shippers); readable, coloured lines on a terminal. */
export function createLogger(level: string, tty = process.stdout.isTTY): Logger {
  if (tty) return pino({ level }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  return pino({ level, base: undefined });
}
