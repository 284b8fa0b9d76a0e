import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskPhone, maskReceiver, scrubPersonalJson, scrubPersonalText } from './mask.js';

export type { Logger } from 'pino';

const PHONE_KEYS = ['phone', 'phoneNumber', 'PhoneNumber', 'msisdn', 'MSISDN', 'destination'];
/** PesaWay's receiver (`<number> - <NAME>`): logged as its masked number only, never the name. */
const RECEIVER_KEYS = ['receiverName', 'receiver_name', 'ReceiverPartyPublicName', 'receiverPartyPublicName', 'Recipient', 'recipient'];
const SECRET_KEYS = [
  'authorization', 'Authorization', 'password', 'secret', 'consumerSecret', 'consumer_secret', 'consumerKey',
  'consumer_key', 'token', 'access_token', 'apiKey', 'signingKey', 'signature', 'taskToken', 'task_token',
];

function paths(keys: string[]): string[] {
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

const redact: LoggerOptions['redact'] = {
  paths: [...paths(PHONE_KEYS), ...paths(RECEIVER_KEYS), ...paths(SECRET_KEYS), 'req.headers.authorization', 'req.headers.signature'],
  censor: (value: unknown, path: string[]) => {
    const key = path[path.length - 1] ?? '';
    if (typeof value === 'string' && PHONE_KEYS.includes(key)) return maskPhone(value);
    if (typeof value === 'string' && RECEIVER_KEYS.includes(key)) return maskReceiver(value);
    if (value === undefined || value === null) return value;
    return '[redacted]';
  },
};

/** The project's logger: JSON lines, secrets removed, phone numbers masked and receiver names dropped (also inside messages). */
export function createLogger(options: { name: string; level?: string; destination?: NodeJS.WritableStream } = { name: 'disburse' }): Logger {
  const opts: LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact,
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? scrubPersonalText(a) : a)) as typeof args;
        method.apply(this, masked);
      },
      // The last guard, on the finished JSON line: what no key names (an `error` string quoting PesaWay, a
      // serialised request's URL, a stack) is scrubbed too; a bare JSON number (`"totalMinor":100000000`)
      // is an amount, and masking it would break the line.
      streamWrite: scrubPersonalJson,
    },
    formatters: {
      log(object) {
        const err = object['err'];
        if (err instanceof Error) return { ...object, err: { type: err.name, message: err.message, stack: err.stack } };
        return object;
      },
    },
  };
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts);
}
