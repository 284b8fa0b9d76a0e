import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskPhone, maskPhonesInText } from './mask.js';

export type { Logger } from 'pino';

const PHONE_KEYS = ['phone', 'phoneNumber', 'PhoneNumber', 'msisdn'];
const SECRET_KEYS = [
  'authorization', 'Authorization', 'password', 'secret', 'consumerSecret', 'consumer_secret', 'consumerKey',
  'consumer_key', 'token', 'access_token', 'apiKey', 'signingKey', 'signature',
];

function paths(keys: string[]): string[] {
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

const redact: LoggerOptions['redact'] = {
  paths: [...paths(PHONE_KEYS), ...paths(SECRET_KEYS), 'req.headers.authorization', 'req.headers.signature'],
  censor: (value: unknown, path: string[]) => {
    const key = path[path.length - 1] ?? '';
    if (PHONE_KEYS.includes(key) && typeof value === 'string') return maskPhone(value);
    return '[redacted]';
  },
};

/** The project's logger: JSON lines, secrets removed, phone numbers masked (also inside messages). */
export function createLogger(options: { name: string; level?: string; destination?: NodeJS.WritableStream } = { name: 'disburse' }): Logger {
  const opts: LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact,
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskPhonesInText(a) : a)) as typeof args;
        method.apply(this, masked);
      },
    },
    formatters: {
      log(object) {
        const err = object['err'];
        if (err instanceof Error) {
          return { ...object, err: { type: err.name, message: maskPhonesInText(err.message), stack: err.stack && maskPhonesInText(err.stack) } };
        }
        return object;
      },
    },
  };
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts);
}
