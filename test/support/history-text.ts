/**
 * Everything Temporal holds about a batch, as text to search for personal data: every run of the batch
 * and shard workflows (found by their BatchId search attribute and by workflow id), each history event
 * with its payloads decoded (inputs, results, failures, summaries, memo, search attributes), plus what
 * the workflows answer when asked (the progress query, the Web UI's current details).
 */
import type { Client } from '@temporalio/client';
import { progressQuery, workflowIds } from '../../src/workflows/definitions.js';

export interface WorkflowText {
  workflowId: string;
  runId: string;
  /** One entry per history event: its JSON with every byte field decoded as UTF-8. */
  events: string[];
}

/** Every string in an event, byte fields (payload data, metadata) read as UTF-8 text. */
function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
}

async function runsOf(client: Client, query: string): Promise<Array<{ workflowId: string; runId: string }>> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query })) runs.push({ workflowId: run.workflowId, runId: run.runId });
  return runs;
}

/**
 * Every run's history of the batch and its shards, as text. `historyClient` fetches the histories (one without
 * the payload codec sees what the server stores); `client` lists the runs (listing decodes their memos).
 */
export async function batchHistoryTexts(client: Client, batchId: string, shards: number, historyClient: Client = client): Promise<WorkflowText[]> {
  const ids = [workflowIds.batch(batchId), ...Array.from({ length: shards }, (_, i) => workflowIds.shard(batchId, i + 1))];
  const seen = new Map<string, { workflowId: string; runId: string }>();
  const queries = [`BatchId = '${batchId}'`, ...ids.map((id) => `WorkflowId = '${id}'`)];
  for (const q of queries) for (const run of await runsOf(client, q)) seen.set(run.runId, run);
  const texts: WorkflowText[] = [];
  for (const run of seen.values()) {
    const history = await historyClient.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    texts.push({
      ...run,
      events: (history.events ?? []).map((e) => {
        const out: string[] = [];
        strings(e, out);
        return out.join('\n');
      }),
    });
  }
  return texts;
}

/** What the batch workflow answers: its progress, and the current details and summaries the Web UI shows. */
export async function batchQueryTexts(client: Client, batchId: string): Promise<string[]> {
  const handle = client.workflow.getHandle(workflowIds.batch(batchId));
  const out: string[] = [JSON.stringify(await handle.query(progressQuery))];
  out.push(JSON.stringify(await handle.query('__temporal_workflow_metadata')));
  return out;
}
