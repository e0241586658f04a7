import { pino, type Logger } from 'pino';
import { loadConfig } from './config';

let root: Logger | undefined;

/** Structured JSON logs. Secrets (passwords, cookies, tokens) are redacted by path. */
export function logger(): Logger {
  if (!root) {
    const config = loadConfig();
    root = pino({
      level: config.logLevel,
      base: { app: 'muragat' },
      redact: {
        paths: ['password', '*.password', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.passwordHash'],
        censor: '[redacted]',
      },
    });
  }
  return root;
}

export type { Logger };
