/**
 * What a batch costs in Temporal, read from its fetched histories: history events (server work and
 * storage) and billable actions (Temporal Cloud bills per action). Counted per run, summed by the caller.
 *
 * Actions, as Temporal Cloud counts them: a workflow started (a start, a child, or a continue-as-new run),
 * each activity attempt, each timer, each signal received, each search-attribute upsert or memo change,
 * each marker (side effect, local activity). Queries are actions too but leave no event; they are not here.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;

export interface HistoryCost {
  events: number;
  actions: number;
}

const ONE_ACTION: ReadonlySet<proto.temporal.api.enums.v1.EventType> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  EventType.EVENT_TYPE_MARKER_RECORDED,
]);

export function historyCost(events: readonly HistoryEvent[]): HistoryCost {
  let actions = 0;
  for (const e of events) {
    if (e.eventType == null) continue;
    // Retried attempts leave one Started event, carrying the attempt number: each attempt is an action.
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) actions += e.activityTaskStartedEventAttributes?.attempt ?? 1;
    else if (ONE_ACTION.has(e.eventType)) actions += 1;
  }
  return { events: events.length, actions };
}

export interface BatchHistoryCost extends HistoryCost {
  /** Runs of the batch workflow and of its shard workflows (continue-as-new runs included). */
  batchRuns: number;
  shardRuns: number;
  /** The largest single run: every run must stay far below Temporal's 51,200-event limit. */
  maxRunEvents: number;
}

/** Every workflow run of a batch (found by its BatchId search attribute), its histories fetched and counted. */
export async function batchHistoryCost(client: Client, batchId: string): Promise<BatchHistoryCost> {
  const total: BatchHistoryCost = { events: 0, actions: 0, batchRuns: 0, shardRuns: 0, maxRunEvents: 0 };
  for await (const run of client.workflow.list({ query: `BatchId = '${batchId}'` })) {
    const cost = historyCost((await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? []);
    total.events += cost.events;
    total.actions += cost.actions;
    total.maxRunEvents = Math.max(total.maxRunEvents, cost.events);
    if (run.type === 'batchWorkflow') total.batchRuns += 1;
    else total.shardRuns += 1;
  }
  return total;
}
