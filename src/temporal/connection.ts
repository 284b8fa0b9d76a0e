import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type Env, readBool, readOptionalString, readString } from '../common/env.js';
import { ConfigError } from '../common/errors.js';
import { type CodecKey, dataConverterFor, parseCodecKeys } from './payload-codec.js';

/** How to reach Temporal: a local dev server by default, or a remote cluster / Temporal Cloud. */
export interface TemporalConfig {
  address: string;
  namespace: string;
  /** mTLS client certificate and key (PEM files), or plain TLS when only `tls` is set. */
  tls: boolean;
  clientCertPath: string | undefined;
  clientKeyPath: string | undefined;
  serverRootCaPath: string | undefined;
  /** Temporal Cloud API key (implies TLS). */
  apiKey: string | undefined;
  taskQueuePrefix: string;
  /** AES-256-GCM keys for payloads (TEMPORAL_PAYLOAD_KEYS), the first encrypting; undefined: payloads in clear. */
  payloadKeys: CodecKey[] | undefined;
}

export function loadTemporalConfig(env: Env): TemporalConfig {
  const clientCertPath = readOptionalString(env, 'TEMPORAL_TLS_CERT');
  const clientKeyPath = readOptionalString(env, 'TEMPORAL_TLS_KEY');
  if (Boolean(clientCertPath) !== Boolean(clientKeyPath)) {
    throw new ConfigError(clientCertPath ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT', 'mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY');
  }
  const apiKey = readOptionalString(env, 'TEMPORAL_API_KEY');
  return {
    address: readString(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
    namespace: readString(env, 'TEMPORAL_NAMESPACE', 'default'),
    tls: readBool(env, 'TEMPORAL_TLS', Boolean(clientCertPath || apiKey)),
    clientCertPath,
    clientKeyPath,
    serverRootCaPath: readOptionalString(env, 'TEMPORAL_TLS_CA'),
    apiKey,
    taskQueuePrefix: readString(env, 'TASK_QUEUE_PREFIX', 'disburse'),
    payloadKeys: parseCodecKeys(readOptionalString(env, 'TEMPORAL_PAYLOAD_KEYS')),
  };
}

async function tlsOptions(c: TemporalConfig) {
  if (!c.tls) return undefined;
  const clientCertPair = c.clientCertPath && c.clientKeyPath ? { crt: await readFile(c.clientCertPath), key: await readFile(c.clientKeyPath) } : undefined;
  const serverRootCACertificate = c.serverRootCaPath ? await readFile(c.serverRootCaPath) : undefined;
  return { ...(clientCertPair ? { clientCertPair } : {}), ...(serverRootCACertificate ? { serverRootCACertificate } : {}) };
}

export async function connectClient(c: TemporalConfig): Promise<Client> {
  const tls = await tlsOptions(c);
  const connection = await Connection.connect({ address: c.address, ...(tls ? { tls } : {}), ...(c.apiKey ? { apiKey: c.apiKey } : {}) });
  const dataConverter = dataConverterFor(c.payloadKeys);
  return new Client({ connection, namespace: c.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

export async function connectWorker(c: TemporalConfig): Promise<NativeConnection> {
  const tls = await tlsOptions(c);
  return NativeConnection.connect({ address: c.address, ...(tls ? { tls } : {}), ...(c.apiKey ? { apiKey: c.apiKey } : {}) });
}
