/**
 * Typed helpers for other systems (and our API and CLI) to drive batches through Temporal directly.
 * The batch must already be ingested into PostgreSQL (see src/payroll/ingest.ts).
 */
import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { batchWorkflow } from '../workflows/batch.js';
import {
  approveSignal,
  cancelSignal,
  fundsAddedSignal,
  pauseSignal,
  progressQuery,
  rejectSignal,
  resumeSignal,
  retryFailedSignal,
  workflowIds,
} from '../workflows/definitions.js';
import { BatchIdKey, BatchStatusKey } from '../temporal/search-attributes.js';
import type { BatchSettings, Progress } from '../workflows/types.js';

export type BatchHandle = WorkflowHandle<typeof batchWorkflow>;

export interface StartedBatch {
  handle: BatchHandle;
  /** False when the batch was already running or finished: the existing run is returned. */
  started: boolean;
}

/** Starts `batch/<batchId>`, or returns the run that exists (same file, same batch). `summary`: its one line in the Web UI. */
export async function startBatch(client: Client, batchId: string, settings: BatchSettings, summary?: string): Promise<StartedBatch> {
  const workflowId = workflowIds.batch(batchId);
  const existing = client.workflow.getHandle<typeof batchWorkflow>(workflowId);
  try {
    await existing.describe();
    return { handle: existing, started: false };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  try {
    // USE_EXISTING: two simultaneous submissions still share one run.
    const handle = await client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      workflowId,
      taskQueue: settings.taskQueues.batches,
      args: [{ batchId, settings }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(settings.searchAttributes
        ? { typedSearchAttributes: new TypedSearchAttributes([{ key: BatchIdKey, value: batchId }, { key: BatchStatusKey, value: 'CREATED' }]) }
        : {}),
      memo: { batchId },
      staticSummary: summary ?? `Payroll batch ${batchId}`,
    });
    return { handle, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { handle: existing, started: false };
  }
}

export function batchHandle(client: Client, batchId: string): BatchHandle {
  return client.workflow.getHandle(workflowIds.batch(batchId));
}

export async function getProgress(client: Client, batchId: string): Promise<Progress> {
  return batchHandle(client, batchId).query(progressQuery);
}

export type BatchCommand = 'pause' | 'resume' | 'cancel' | 'fundsAdded' | 'approve';

const SIGNALS = { pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal, fundsAdded: fundsAddedSignal, approve: approveSignal } as const;

export async function signalBatch(client: Client, batchId: string, command: BatchCommand, by: string): Promise<void> {
  await batchHandle(client, batchId).signal(SIGNALS[command], { by });
}

/** An approver refuses the batch before it pays (`reason`: 1–500 characters): it ends CANCELLED, nothing paid. */
export async function rejectBatch(client: Client, batchId: string, by: string, reason: string): Promise<void> {
  await batchHandle(client, batchId).signal(rejectSignal, { by, reason });
}

/**
 * Retry the failed rows: signals the running batch, or starts a new run of a finished one with the
 * signal already delivered (signal-with-start), so it works whatever state the batch is in.
 */
export async function retryFailed(client: Client, batchId: string, settings: BatchSettings, by: string): Promise<void> {
  await client.workflow.signalWithStart<typeof batchWorkflow, [{ by: string }]>('batchWorkflow', {
    workflowId: workflowIds.batch(batchId),
    taskQueue: settings.taskQueues.batches,
    args: [{ batchId, settings }],
    signal: retryFailedSignal,
    signalArgs: [{ by }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    ...(settings.searchAttributes ? { typedSearchAttributes: new TypedSearchAttributes([{ key: BatchIdKey, value: batchId }]) } : {}),
  });
}
