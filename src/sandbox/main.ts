/** `pesaway-sandbox`: the PesaWay double as a standalone server, configured by flags. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { formatMinor } from '../domain/money.js';
import { SandboxConfigError } from './errors.js';
import { DEFAULT_FAULTS } from './faults.js';
import {
  DEFAULT_DIALECT, DEFAULTS, DIALECT_CHOICES, parseAmountFlag, parseChoiceFlag, parseIntegerFlag, parseRangeFlag,
  parseRateFlag, parseRateLimitFlag, type SandboxOptionsInput,
} from './options.js';
import { formatRange } from './range.js';
import { startSandbox } from './server.js';

/** Bad flag values exit with 2, like other CLIs' usage errors. */
const USAGE_ERROR = 2;

/** Adapts a SandboxConfigError-throwing parser to commander's error type. */
function flag<T>(parse: (name: string, value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse('', value);
    } catch (err) {
      if (err instanceof SandboxConfigError) throw new InvalidArgumentError(err.message.replace(/^: /, ''));
      throw err;
    }
  };
}

function program(): Command {
  const rates = (name: string, description: string): Option => new Option(`--${name} <p>`, `${description} (0..1)`).default(0).argParser(flag(parseRateFlag));
  return new Command('pesaway-sandbox')
    .description('A faithful HTTP double of the PesaWay API: token, send-payment (mobile money and bank), transaction query, balance, pull transactions, result callbacks, seeded faults.')
    .addOption(new Option('--port <n>', 'port to listen on (0 = any free port)').default(4010).argParser(flag((n, v) => parseIntegerFlag(n, v, 0, 65535))))
    .addOption(new Option('--host <host>', 'address to listen on').default(DEFAULTS.host))
    .addOption(new Option('--balance <kes>', 'opening wallet balance in KES').default(DEFAULTS.balanceMinor, formatMinor(DEFAULTS.balanceMinor)).argParser(flag(parseAmountFlag)))
    .addOption(new Option('--consumer-key <key>', 'accepted consumer_key').default(DEFAULTS.consumerKey))
    .addOption(new Option('--consumer-secret <secret>', 'accepted consumer_secret').default(DEFAULTS.consumerSecret))
    .addOption(new Option('--token-ttl <seconds>', 'access token lifetime').default(DEFAULTS.tokenTtlSeconds).argParser(flag((n, v) => parseIntegerFlag(n, v, 1))))
    .addOption(new Option('--settle-delay-ms <min-max>', 'time from acceptance to settlement').default(DEFAULTS.settleDelayMs, formatRange(DEFAULTS.settleDelayMs)).argParser(flag(parseRangeFlag)))
    .addOption(new Option('--callback-delay-ms <min-max>', 'extra wait between settlement and the callback POST').default(DEFAULTS.callbackDelayMs, formatRange(DEFAULTS.callbackDelayMs)).argParser(flag(parseRangeFlag)))
    .addOption(new Option('--callback-max-attempts <n>', 'callback delivery attempts before giving up').default(DEFAULTS.callbackRetry.maxAttempts).argParser(flag((n, v) => parseIntegerFlag(n, v, 1))))
    .addOption(new Option('--seed <n>', 'seed for ids, settle delays and every fault decision').default(DEFAULTS.seed).argParser(flag((n, v) => parseIntegerFlag(n, v, 0, 0xffffffff))))
    .addOption(new Option('--signing-key <key>', 'sign callbacks: header "signature" = Base64(HMAC-SHA256(key, body)); unsigned when absent'))
    .addOption(new Option('--latency-ms <min-max>', 'latency added to every API response').default(DEFAULT_FAULTS.latencyMs, formatRange(DEFAULT_FAULTS.latencyMs)).argParser(flag(parseRangeFlag)))
    .addOption(rates('server-error-rate', 'share of API requests answered 500/502/503 without processing'))
    .addOption(rates('lost-response-rate', 'share of accepted sends whose response is lost (connection reset; the payment stands)'))
    .addOption(new Option('--rate-limit <per-second>', 'API requests per sliding second before 429.001; 0 or off = no limit (default: off)').argParser(flag(parseRateLimitFlag)))
    .addOption(rates('callback-drop-rate', 'share of callbacks never sent'))
    .addOption(rates('callback-duplicate-rate', 'share of callbacks delivered twice'))
    .addOption(rates('callback-reorder-rate', 'share of callbacks held back by --reorder-delay-ms'))
    .addOption(new Option('--accepted-reply-delay-ms <ms>', 'hold the answer to an accepted send this long (its callback may arrive first)').default(DEFAULT_FAULTS.acceptedReplyDelayMs).argParser(flag((n, v) => parseIntegerFlag(n, v, 0))))
    .addOption(new Option('--reorder-delay-ms <ms>', 'how long a reordered callback is held back').default(DEFAULT_FAULTS.reorderDelayMs).argParser(flag((n, v) => parseIntegerFlag(n, v, 0))))
    .addOption(new Option('--token-shape <shape>', 'token response shape').choices(DIALECT_CHOICES.tokenShape).default(DEFAULT_DIALECT.tokenShape))
    .addOption(new Option('--errors <dialect>', 'errors as HTTP 4xx (http-status) or HTTP 200 with the code in the body (http-200)').choices(DIALECT_CHOICES.errors).default(DEFAULT_DIALECT.errors))
    .addOption(new Option('--balance-envelope <envelope>', 'balance response flat or wrapped in {code, data}').choices(DIALECT_CHOICES.balanceEnvelope).default(DEFAULT_DIALECT.balanceEnvelope))
    .addOption(new Option('--callback-style <style>', 'callback field names: standard (ResultCode, OriginatorReference) or variant (ResultType, Originator)').choices(DIALECT_CHOICES.callbackStyle).default(DEFAULT_DIALECT.callbackStyle))
    .addOption(new Option('--receiver-number <style>', 'the receiver\'s number in ReceiverPartyPublicName and failure texts: masked, or unmasked in varied spellings').choices(DIALECT_CHOICES.receiverNumber).default(DEFAULT_DIALECT.receiverNumber))
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr as JSON lines)').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default(process.env['LOG_LEVEL'] ?? 'info'))
    .addHelpText('after', `
Test destinations (every other destination succeeds):
  phone 254700000404         fails, ResultCode 2040 (unregistered subscriber)
  phone 254700000409         fails, ResultCode 2 (Declined due to limit rule.)
  phone 254700000999         never settles (stays pending, no callback)
  bank account 000000000404  fails, ResultCode 2041 (Invalid account number)
  bank account 000000000999  never settles

Admin (no auth, never faulted): POST /__sandbox/top-up {"amount":"5000.00"}, PUT /__sandbox/balance,
GET /__sandbox/ledger, GET /__sandbox/stats, GET|PUT /__sandbox/faults, POST /__sandbox/settle-now,
GET|PUT /__sandbox/outage {"mode":"refuse"|"timeout"|"none"} (PesaWay unreachable; callbacks held).`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => void process.stdout.write(s), writeErr: (s) => void process.stderr.write(s) });
}

interface Flags {
  port: number; host: string; balance: number; consumerKey: string; consumerSecret: string; tokenTtl: number;
  settleDelayMs: { min: number; max: number }; callbackDelayMs: { min: number; max: number }; callbackMaxAttempts: number;
  seed: number; signingKey?: string; latencyMs: { min: number; max: number }; serverErrorRate: number; lostResponseRate: number;
  rateLimit: number | undefined; callbackDropRate: number; callbackDuplicateRate: number; callbackReorderRate: number;
  reorderDelayMs: number; acceptedReplyDelayMs: number; tokenShape: string; errors: string; balanceEnvelope: string; callbackStyle: string; receiverNumber: string; logLevel: string;
}

function toOptions(f: Flags): SandboxOptionsInput {
  return {
    host: f.host,
    port: f.port,
    balanceMinor: f.balance,
    consumerKey: f.consumerKey,
    consumerSecret: f.consumerSecret,
    tokenTtlSeconds: f.tokenTtl,
    settleDelayMs: f.settleDelayMs,
    callbackRetry: { maxAttempts: f.callbackMaxAttempts },
    seed: f.seed,
    signingKey: f.signingKey,
    dialect: {
      tokenShape: parseChoiceFlag('--token-shape', 'tokenShape', f.tokenShape),
      errors: parseChoiceFlag('--errors', 'errors', f.errors),
      balanceEnvelope: parseChoiceFlag('--balance-envelope', 'balanceEnvelope', f.balanceEnvelope),
      callbackStyle: parseChoiceFlag('--callback-style', 'callbackStyle', f.callbackStyle),
      receiverNumber: parseChoiceFlag('--receiver-number', 'receiverNumber', f.receiverNumber),
    },
    faults: {
      latencyMs: f.latencyMs,
      serverErrorRate: f.serverErrorRate,
      lostResponseRate: f.lostResponseRate,
      rateLimitPerSecond: f.rateLimit,
      callbackDropRate: f.callbackDropRate,
      callbackDuplicateRate: f.callbackDuplicateRate,
      callbackReorderRate: f.callbackReorderRate,
      reorderDelayMs: f.reorderDelayMs,
      acceptedReplyDelayMs: f.acceptedReplyDelayMs,
      callbackDelayMs: f.callbackDelayMs,
    },
    logger: createLogger({ name: 'pesaway-sandbox', level: f.logLevel, destination: process.stderr }),
  };
}

async function main(argv: string[]): Promise<void> {
  let flags: Flags;
  try {
    flags = program().parse(argv).opts<Flags>();
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every usage error (already printed by commander) exits 2.
      process.exitCode = err.exitCode === 0 ? 0 : USAGE_ERROR;
      return;
    }
    throw err;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(toOptions(flags));
  } catch (err) {
    process.stderr.write(`pesaway-sandbox: cannot start: ${errorMessage(err)}\n`);
    process.exitCode = err instanceof SandboxConfigError ? USAGE_ERROR : 1;
    return;
  }
  process.stdout.write(`PesaWay sandbox listening on ${sandbox.url}\n`);
  const stop = (signal: string): void => {
    process.stderr.write(`pesaway-sandbox: ${signal}, stopping\n`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`pesaway-sandbox: stop failed: ${errorMessage(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

await main(process.argv);
