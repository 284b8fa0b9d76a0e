import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadRecordedHistories } from '../support/replay-fixtures.js';

/**
 * Determinism guard: histories recorded from scenarios 1 (happy path), 2 (out of funds), 6 (failures
 * and retry, recorded before the retry guard: they replay through its `patched` branch), the retry guard
 * (failures confirmed with PesaWay before a retry) and scheduled batches (issue 13: paid at payAt, approved,
 * cancelled or rejected while SCHEDULED, rejected at AWAITING_APPROVAL) are replayed against the current workflow code. A change that alters the commands a
 * workflow issues for the same events fails here, before it can break running batches in production.
 */
describe('replay of recorded histories (scenarios 1, 2, 6, the retry guard, scheduled batches and a PesaWay outage)', () => {
  it('replays every recorded batch and shard history without non-determinism', async () => {
    const recorded = await loadRecordedHistories();
    const scenarios = new Set(recorded.map((r) => r.file.split('--')[0]));
    expect([...scenarios].sort()).toEqual(['funds', 'guard', 'happy', 'outage', 'retry', 'schedule']);
    expect(recorded.filter((r) => /^batch\/[^/]+$/.test(r.workflowId)).length).toBeGreaterThanOrEqual(3);
    expect(recorded.filter((r) => /^batch\/[^/]+\/\d+$/.test(r.workflowId)).length).toBeGreaterThanOrEqual(3);

    const results = Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, recorded.map((r) => ({ workflowId: r.workflowId, history: r.history })));
    let replayed = 0;
    for await (const result of results) {
      expect(result.error, `${result.workflowId}: ${String(result.error)}`).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBe(recorded.length);
  });
});
