import { describe, expect, it } from 'vitest';
import { previewView } from '../../src/api/preview.js';
import type { ValidationReport } from '../../src/payroll/report.js';

const report = (totalMinor: number, feeEstimateMinor: number): ValidationReport => ({
  accepted: true,
  refusal: null,
  policy: 'strict',
  warningsAcknowledged: false,
  rows: 3,
  valid: 3,
  invalid: 0,
  errorCount: 0,
  warningCount: 0,
  totalMinor,
  feeEstimateMinor,
  issues: [],
  issuesTruncated: false,
  file: { sha256: null, size: 0, encoding: 'utf-8', bom: false, delimiter: ',', columns: {}, ignoredColumns: [] },
});

describe('previewView: what the wallet must hold and what it lacks', () => {
  it('the shortfall is the total with fees less the balance', () => {
    const p = previewView(report(10_000_00, 120_00), { kind: 'balance', availableMinor: 4_000_00 }, null);
    expect(p).toMatchObject({ totalAmount: '10000.00', estimatedFees: '120.00', totalWithFees: '10120.00', wallet: { balance: '4000.00', shortfall: '6120.00' } });
    expect(p).not.toHaveProperty('walletUnavailable');
  });

  it('no shortfall when the wallet covers it, to the cent', () => {
    expect(previewView(report(10_000_00, 120_00), { kind: 'balance', availableMinor: 10_120_00 }, null).wallet).toEqual({ balance: '10120.00', shortfall: '0.00' });
    expect(previewView(report(10_000_00, 120_00), { kind: 'balance', availableMinor: 10_119_99 }, null).wallet!.shortfall).toBe('0.01');
  });

  it('an unknown balance is null with the reason, never a guess', () => {
    const p = previewView(report(500_00, 0), { kind: 'unavailable', reason: 'No worker picked up the wallet look-up' }, null);
    expect(p.wallet).toBeNull();
    expect(p.walletUnavailable).toBe('No worker picked up the wallet look-up');
  });
});
