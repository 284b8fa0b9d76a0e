import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ComparisonOptionsError, comparePayrolls, comparisonHeadline } from '../../src/payroll/compare.js';
import { DraftCollector } from '../../src/payroll/draft-collector.js';
import type { PayoutDraft } from '../../src/payroll/row.js';
import { validatePayroll } from '../../src/payroll/validate-file.js';

let nextRow = 0;
/** A valid M-Pesa row; `rowNo`/`line` follow the call order unless given. */
function row(over: Partial<PayoutDraft> = {}): PayoutDraft {
  nextRow++;
  return {
    rowNo: nextRow,
    line: nextRow + 1,
    channel: 'MPESA',
    phone: '254712000001',
    accountNumber: null,
    bankCode: null,
    bankName: null,
    name: null,
    employeeId: 'E1',
    reason: 'Salary',
    amountMinor: 5_000_000,
    feeEstimateMinor: 0,
    ...over,
  };
}

describe('comparePayrolls', () => {
  it('reports nothing for the same run twice, with totals', () => {
    const run = [row({ employeeId: 'E1' }), row({ employeeId: 'E2', phone: '254712000002', amountMinor: 3_000_000 })];
    const c = comparePayrolls(run, run);
    expect(c.findings).toEqual([]);
    expect(c.counts).toEqual({ new_payee: 0, destination_changed: 0, amount_changed: 0, payee_missing: 0 });
    expect(c.matched).toBe(2);
    expect(c.previous).toEqual({ count: 2, totalMinor: 8_000_000 });
    expect(c.current).toEqual({ count: 2, totalMinor: 8_000_000 });
  });

  it('finds each kind, in this file order then the missing in the previous file order', () => {
    const previous = [
      row({ employeeId: 'E1', line: 2 }),
      row({ employeeId: 'E2', phone: '254712000002', line: 3 }),
      row({ employeeId: 'E3', phone: '254712000003', amountMinor: 2_000_000, line: 4 }),
      row({ employeeId: 'E4', phone: '254712000004', line: 5, rowNo: 4 }),
      row({ employeeId: 'E0', phone: '254712000009', line: 6, rowNo: 5 }),
    ];
    const current = [
      row({ employeeId: 'E3', phone: '254712000003', amountMinor: 8_000_000, line: 2 }),
      row({ employeeId: 'E2', phone: '254799000002', line: 3 }),
      row({ employeeId: 'E9', phone: '254712000099', line: 4 }),
    ];
    const c = comparePayrolls(previous, current);
    expect(c.findings.map((f) => [f.kind, f.employeeId, f.line])).toEqual([
      ['amount_changed', 'E3', 2],
      ['destination_changed', 'E2', 3],
      ['new_payee', 'E9', 4],
      ['payee_missing', 'E1', 2],
      ['payee_missing', 'E4', 5],
      ['payee_missing', 'E0', 6],
    ]);
    expect(c.counts).toEqual({ new_payee: 1, destination_changed: 1, amount_changed: 1, payee_missing: 3 });
    expect(comparisonHeadline(c)).toBe('1 new payee, 1 changed destination, 1 changed amount, 3 missing payees');
    const amount = c.findings[0]!;
    expect(amount).toMatchObject({ kind: 'amount_changed', previousAmountMinor: 2_000_000, amountMinor: 8_000_000, relativeChange: 3, previousLine: 4 });
    expect(amount.message).toBe('Employee E3 gets KES 80,000.00, last time KES 20,000.00 (+300%); check the amount for a typo.');
    expect(c.findings[1]).toMatchObject({ previousDestination: 'MPESA 2547*****002', destination: 'MPESA 2547*****002', previousLine: 3 });
    expect(c.findings[1]!.message).toBe(
      'Employee E2 is paid to MPESA 2547*****002, last time to MPESA 2547*****002 (they differ in the hidden digits); confirm the change with the employee before paying.',
    );
    expect(c.findings[2]!.message).toBe('New payee: employee E9 was not in the previous run; check the employee exists and KES 50,000.00 to MPESA 2547*****099 is right.');
    expect(c.findings[3]!.message).toBe(
      'Employee E1 was paid KES 50,000.00 last time (line 2) but is not among this file\'s valid rows; check whether they left or their row is missing or invalid.',
    );
  });

  it('matches employee ids case-insensitively', () => {
    const c = comparePayrolls([row({ employeeId: 'emp-7' })], [row({ employeeId: 'EMP-7' })]);
    expect(c.findings).toEqual([]);
  });

  it('sees a change of channel, bank account or bank as a changed destination, not a code-vs-name spelling', () => {
    const bank = { channel: 'BANK' as const, phone: null, accountNumber: '0123456789', bankCode: '01', bankName: null };
    const cases: Array<[Partial<PayoutDraft>, boolean]> = [
      [{ ...bank }, false],
      [{ ...bank, bankCode: null, bankName: 'KCB' }, false],
      [{ ...bank, accountNumber: '0123456780' }, true],
      [{ ...bank, bankCode: '68' }, true],
      [{ channel: 'AIRTEL' }, true],
    ];
    for (const [current, changed] of cases) {
      const previous = 'channel' in current && current.channel === 'AIRTEL' ? row() : row(bank);
      const c = comparePayrolls([previous], [row(current)]);
      expect(c.counts.destination_changed, JSON.stringify(current)).toBe(changed ? 1 : 0);
    }
    const c = comparePayrolls([row(bank)], [row({ ...bank, accountNumber: '9876543210' })]);
    expect(c.findings[0]).toMatchObject({ previousDestination: 'BANK ******6789 (01)', destination: 'BANK ******3210 (01)' });
  });

  it('flags an amount only beyond both thresholds (default ±50% and KES 1,000), configurable', () => {
    const changed = (before: number, after: number, options = {}): number =>
      comparePayrolls([row({ amountMinor: before })], [row({ amountMinor: after })], options).counts.amount_changed;
    expect(changed(1_000_000, 1_500_000)).toBe(0); // exactly +50%: not beyond
    expect(changed(1_000_000, 1_500_100)).toBe(1);
    expect(changed(1_000_000, 499_900)).toBe(1); // -50.01%
    expect(changed(100_000, 190_000)).toBe(0); // +90% but only KES 900
    expect(changed(100_000, 200_000)).toBe(1); // +100% and KES 1,000
    expect(changed(1_000_000, 1_200_000, { amountChangeRatio: 0.1 })).toBe(1);
    expect(changed(100_000, 190_000, { amountChangeMinMinor: 0 })).toBe(1);
    expect(() => comparePayrolls([], [], { amountChangeRatio: -1 })).toThrow(ComparisonOptionsError);
    expect(() => comparePayrolls([], [], { amountChangeMinMinor: 1.5 })).toThrow(/whole number/);
  });

  it('pairs duplicates of an employee id in order: extra rows are new or missing', () => {
    const twice = comparePayrolls([row({ employeeId: 'E1', line: 2 })], [row({ employeeId: 'E1', line: 2 }), row({ employeeId: 'e1', line: 3 })]);
    expect(twice.findings.map((f) => [f.kind, f.line])).toEqual([['new_payee', 3]]);
    expect(twice.findings[0]!.message).toContain('employee e1 is paid more often than in the previous run (once there)');
    const once = comparePayrolls([row({ employeeId: 'E1', line: 2 }), row({ employeeId: 'E1', line: 3, amountMinor: 100 })], [row({ employeeId: 'E1' })]);
    expect(once.findings.map((f) => [f.kind, f.line])).toEqual([['payee_missing', 3]]);
  });

  it('matches rows without an employee id by destination, among rows without one', () => {
    const previous = [row({ employeeId: null, phone: '254712000001' }), row({ employeeId: null, phone: '254712000002' })];
    const current = [row({ employeeId: null, phone: '254712000001', amountMinor: 20_000_000 }), row({ employeeId: null, phone: '254712000003' })];
    const c = comparePayrolls(previous, current);
    expect(c.findings.map((f) => [f.kind, f.employeeId])).toEqual([
      ['amount_changed', null],
      ['new_payee', null],
      ['payee_missing', null],
    ]);
    expect(c.findings[0]!.message).toMatch(/^The payee without an employee id paid to MPESA 2547\*\*\*\*\*001 gets/);
  });

  it('never shows a full phone or account number', () => {
    const phone = fc.tuple(fc.constantFrom('7', '1'), fc.stringMatching(/^\d{8}$/)).map(([a, b]) => `254${a}${b}`);
    const account = fc.stringMatching(/^\d{6,20}$/);
    fc.assert(
      fc.property(phone, phone, account, account, (p1, p2, a1, a2) => {
        const previous = [row({ employeeId: 'E1', phone: p1 }), row({ employeeId: 'E2', channel: 'BANK', phone: null, accountNumber: a1, bankCode: '01' }), row({ employeeId: 'E3', phone: p1 })];
        const current = [row({ employeeId: 'E1', phone: p2 }), row({ employeeId: 'E2', channel: 'BANK', phone: null, accountNumber: a2, bankCode: '01' }), row({ employeeId: 'E4', phone: p2 })];
        const text = JSON.stringify(comparePayrolls(previous, current));
        for (const secret of [p1, p2, p1.slice(3), p2.slice(3), a1, a2]) expect(text).not.toContain(secret);
      }),
    );
  });

  it('compares 100,000 rows with 100,000', () => {
    const n = 100_000;
    const make = (shift: number): PayoutDraft[] =>
      Array.from({ length: n }, (_, i) => row({ rowNo: i + 1, line: i + 2, employeeId: `E${i + shift}`, phone: `2547${String(i + shift).padStart(8, '0')}`, amountMinor: 1_000_000 + (i % 7) * (shift ? 900_000 : 0) }));
    const c = comparePayrolls(make(0), make(10));
    expect(c.counts.new_payee).toBe(10);
    expect(c.counts.payee_missing).toBe(10);
    expect(c.matched).toBe(n - 10);
    expect(c.counts.destination_changed).toBe(0);
    expect(c.counts.amount_changed).toBeGreaterThan(0);
    expect(c.findings.at(-1)).toMatchObject({ kind: 'payee_missing', employeeId: 'E9' });
  });
});

describe('DraftCollector', () => {
  it('keeps the valid rows of a refused file, minus retracted duplicates', async () => {
    const csv = 'phone,amount,employee_id\n0712000001,1000,E1\nnot a phone,1000,E2\n0712000003,1000,E3\n0712000004,1000,E3\n0712000005,1000,E5\n';
    const collector = new DraftCollector();
    const report = await validatePayroll(Readable.from([Buffer.from(csv)]), {}, collector);
    expect(report.accepted).toBe(false);
    expect(collector.drafts().map((d) => d.employeeId)).toEqual(['E1', 'E5']);
  });
});
