import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { type CodecKey, dataConverterFor } from '../../src/temporal/payload-codec.js';

/** A task queue name no other test file uses, so parallel files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestTemporal {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close: () => Promise<void>;
}

/** A client and a worker connection to the run's shared Temporal dev server; the client encrypts payloads under `payloadKeys`. */
export async function connectTemporal(payloadKeys?: CodecKey[]): Promise<TestTemporal> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, namespace: 'default', ...(payloadKeys ? { dataConverter: dataConverterFor(payloadKeys)! } : {}) }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
