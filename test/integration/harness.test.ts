import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { createSmokeActivities } from '../support/smoke/activities.js';
import type { greetWorkflow } from '../support/smoke/workflows.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from '../support/temporal.js';

const workflowsPath = fileURLToPath(new URL('../support/smoke/workflows.ts', import.meta.url));
const changedWorkflowsPath = fileURLToPath(new URL('../support/smoke/workflows-changed.ts', import.meta.url));

describe('test harness (real Temporal dev server + real PostgreSQL)', () => {
  let db: TestDatabase;
  let tc: TestTemporal;
  let history: temporal.api.history.v1.IHistory;
  const workflowId = `smoke-${Date.now()}`;

  beforeAll(async () => {
    [db, tc] = await Promise.all([createTestDatabase(), connectTemporal()]);
    await db.pool.query('CREATE TABLE smoke_greetings (id serial PRIMARY KEY, name text NOT NULL)');
  });
  afterAll(async () => {
    await tc?.close();
    await db?.close();
  });

  it('runs a workflow on a real worker whose activity writes to PostgreSQL', async () => {
    const taskQueue = uniqueTaskQueue('smoke');
    const worker = await Worker.create({
      connection: tc.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: createSmokeActivities(db.pool),
    });
    const result = await worker.runUntil(
      tc.client.workflow.execute<typeof greetWorkflow>('greetWorkflow', { taskQueue, workflowId, args: ['Wanjiku'] }),
    );

    const { rows } = await db.pool.query<{ id: number; name: string }>('SELECT id, name FROM smoke_greetings');
    expect(rows).toEqual([{ id: 1, name: 'Wanjiku' }]);
    expect(result).toBe('greeting 1 recorded for Wanjiku');

    history = await tc.client.workflow.getHandle(workflowId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types.length).toBeGreaterThanOrEqual(11);
    expect(types[0]).toBe(1); // WORKFLOW_EXECUTION_STARTED
    expect(types).toContain(12); // ACTIVITY_TASK_COMPLETED
    expect(types.at(-1)).toBe(2); // WORKFLOW_EXECUTION_COMPLETED
  });

  it('replays the recorded history with the same workflow code', async () => {
    expect(history).toBeDefined();
    await expect(Worker.runReplayHistory({ workflowsPath }, history, workflowId)).resolves.toBeUndefined();
  });

  it('fails the replay when the workflow code changed its commands (so replay tests can catch non-determinism)', async () => {
    await expect(Worker.runReplayHistory({ workflowsPath: changedWorkflowsPath }, history, workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
