/**
 * Recorded workflow histories for the replay test. Scenario tests record them when
 * RECORD_REPLAY_FIXTURES=1 (`npm run test:record-histories`); the replay test replays the committed
 * files against the current workflow code, so a change that breaks determinism fails the build.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { History } = proto.temporal.api.history.v1;

export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

export const recording = process.env['RECORD_REPLAY_FIXTURES'] === '1';

/** Saves the histories of the given workflows (every run of each) as `<scenario>--<workflowId>--<run>.binpb` (protobuf). */
export async function recordHistories(client: Client, scenario: string, workflowIds: string[]): Promise<void> {
  if (!recording) return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  for (const workflowId of workflowIds) {
    let n = 0;
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      const name = `${scenario}--${encodeURIComponent(workflowId)}--${n++}.binpb`;
      await writeFile(join(HISTORIES_DIR, name), History.encode(history).finish());
    }
  }
}

export interface RecordedHistory {
  file: string;
  workflowId: string;
  history: proto.temporal.api.history.v1.IHistory;
}

export async function loadRecordedHistories(): Promise<RecordedHistory[]> {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.binpb')).sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      workflowId: decodeURIComponent(file.split('--')[1]!),
      history: History.decode(await readFile(join(HISTORIES_DIR, file))),
    })),
  );
}
