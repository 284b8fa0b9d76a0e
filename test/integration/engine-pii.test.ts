/**
 * Personal data never reaches Temporal: a batch paid end to end while the sandbox reports every receiver
 * by number and name (`254.711.000.109 - NANCY WAIRIMU`, the number unmasked in every common spelling,
 * also inside failure descriptions). Then every history event of the batch and its shards, decoded, and
 * what the workflows answer to queries, must hold no receiver name, no employee name and no full number,
 * while the masked destinations and the amounts stay where operators read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { maskPhone } from '../../src/common/mask.js';
import { formatKes } from '../../src/domain/money.js';
import { normaliseKenyanMobile } from '../../src/payroll/phone.js';
import { RECIPIENT_NAMES, TEST_PHONES, spelledPhone } from '../../src/sandbox/test-destinations.js';
import { type Engine, startEngine } from '../support/engine.js';
import { batchHistoryTexts, batchQueryTexts } from '../support/history-text.js';
import { type PayrollRow, payrollCsv } from '../support/payroll.js';

const BATCH = 'pii-12';

/** Employees with real-looking names and numbers written the ways payroll files write them. */
const ROWS: PayrollRow[] = [
  ['NANCY WAIRIMU', '254.711.000.109'],
  ['Achieng Otieno', '+254 722 310 455'],
  ['Kiprono Langat', '0733-410-562'],
  ['Wanjiku Mwangi', '(0745) 120 987'],
  ['Otieno Barasa', '0110 234 568'],
  ['Chebet Jeruto', '254768123450'],
  ['Mutua Nduku', '0790.456.324'],
  ['Halima Abdi', '+254-701-998-877'],
  ['Unregistered Person', TEST_PHONES.unregistered],
  ['Limited Person', TEST_PHONES.limitDeclined],
].map(([name, phone], i) => ({ employeeId: `E${String(i + 1).padStart(3, '0')}`, name: name!, phone: phone!, amount: String(1500 + i * 25) }));

const stored = (raw: string): string => {
  const r = normaliseKenyanMobile(raw);
  if (!r.ok) throw new Error(`test row phone ${raw} does not normalise`);
  return r.phone;
};

/** A number's digits seen anywhere in a text, whatever separators it was written with. */
function fullNumbersIn(text: string, phones: readonly string[]): string[] {
  const runs = (text.match(/\+?\d[\d\s.\-()\u00a0]*\d/g) ?? []).map((run) => run.replace(/\D/g, ''));
  return phones.filter((p) => runs.some((digits) => digits.includes(p.slice(3))));
}

describe('personal data in Temporal (issue 12 item 10)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { settleDelayMs: { min: 20, max: 120 }, dialect: { receiverNumber: 'unmasked' } },
      settings: { shards: 2, minPayoutsPerShard: 4 },
    });
  });
  afterAll(async () => engine?.stop());

  /** Pays `rows` as batch `batchId` end to end, then looks for personal data in PostgreSQL and everywhere in Temporal. */
  async function payAndSearch(batchId: string, rows: PayrollRow[]): Promise<void> {
    const phones = rows.map((r) => stored(r.phone));
    expect((await engine.ingest(payrollCsv(rows), { batchId })).kind).toBe('created');
    const { handle } = await startBatch(engine.temporal.client, batchId, engine.settings);
    const summary = await handle.result();
    expect(summary.counts).toMatchObject({ succeeded: rows.length - 2, failed: 2 });

    // What PesaWay (the sandbox) reported: names and unmasked numbers, in results and failure texts.
    const ours = new Set((await engine.db.pool.query<{ reference: string }>('SELECT reference FROM payouts WHERE batch_id = $1', [batchId])).rows.map((r) => r.reference));
    const reported = engine.sandbox.ledger.entries().filter((e) => ours.has(e.reference)).map((e) => `${e.receiverPartyPublicName ?? ''} ${e.resultDesc ?? ''}`).join('\n');
    expect(reported).toContain('254.711.000.109 - ');
    expect(fullNumbersIn(reported, phones)).toHaveLength(phones.length);
    // PostgreSQL keeps the receiver names (the claim check), with the numbers masked.
    const { rows: db } = await engine.db.pool.query<{ receiver_name: string | null; result_desc: string | null; failure_reason: string | null }>(
      'SELECT receiver_name, result_desc, failure_reason FROM payouts WHERE batch_id = $1',
      [batchId],
    );
    const dbText = db.map((r) => `${r.receiver_name ?? ''} ${r.result_desc ?? ''} ${r.failure_reason ?? ''}`).join('\n');
    expect(db.filter((r) => r.receiver_name && RECIPIENT_NAMES.some((n) => r.receiver_name!.includes(n)))).toHaveLength(rows.length - 2);
    expect(fullNumbersIn(dbText, phones), 'unmasked numbers stored in PostgreSQL').toEqual([]);

    const histories = await batchHistoryTexts(engine.temporal.client, batchId, engine.settings.shards);
    expect(histories.filter((h) => h.workflowId.includes('/')).length).toBeGreaterThanOrEqual(3);
    const queries = await batchQueryTexts(engine.temporal.client, batchId);
    const everything = [...histories.flatMap((h) => h.events.map((text, i) => ({ where: `${h.workflowId} event ${i + 1}`, text }))), ...queries.map((text, i) => ({ where: `query ${i}`, text }))];

    const names = [...RECIPIENT_NAMES, ...rows.map((r) => r.name)].map((n) => n.toLowerCase());
    const leaks = everything.flatMap(({ where, text }) => {
      const lower = text.toLowerCase();
      return [
        ...names.filter((n) => lower.includes(n)).map((n) => `${where}: name "${n}"`),
        ...fullNumbersIn(text, phones).map((p) => `${where}: number ${maskPhone(p)} unmasked`),
      ];
    });
    expect(leaks).toEqual([]);

    // What operators read stays: each payout's summary with its masked destination and its amount.
    const all = everything.map((e) => e.text).join('\n');
    for (const [i, p] of phones.entries()) {
      expect(all).toContain(maskPhone(p));
      expect(all).toContain(formatKes(Number(rows[i]!.amount) * 100));
    }
  }

  it('keeps receiver names, employee names and full numbers out of every history and query answer', async () => {
    // The sandbox really speaks every spelling of the number (the test would prove nothing otherwise).
    const spellings = new Set(ROWS.map((r) => spelledPhone(stored(r.phone)).replace(/\d/g, '9')));
    expect(spellings.size, [...spellings].join(' | ')).toBe(6);
    await payAndSearch(BATCH, ROWS);
  });

  it('keeps them out through faults too: 5xx, lost responses and dropped callbacks (failures and polls in history)', async () => {
    engine.sandbox.faults.set({ serverErrorRate: 0.25, lostResponseRate: 0.25, callbackDropRate: 0.4 });
    try {
      await payAndSearch(`${BATCH}-faults`, ROWS.map((r) => ({ ...r, amount: String(Number(r.amount) + 1) })));
      const counters = engine.sandbox.faults.counters();
      expect(counters.serverErrors + counters.lostResponses).toBeGreaterThan(0);
    } finally {
      engine.sandbox.faults.set({ serverErrorRate: 0, lostResponseRate: 0, callbackDropRate: 0 });
    }
  });
});
