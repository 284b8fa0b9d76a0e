/** The console's pure helpers: KES as Kenyans write it, exact cents, and the CSV reader behind the invalid-row cells. */
import { describe, expect, it } from 'vitest';
import { parseCsvCells } from '../../src/console/csv-cells.js';
import { cents, duration, fromCents, kes, localToRfc3339 } from '../../src/console/format.js';
import { rateOf } from '../../src/console/pages/rate.js';

describe('kes', () => {
  it('groups thousands with commas and always shows two decimals', () => {
    expect(kes('1234567.5')).toBe('KES 1,234,567.50');
    expect(kes('1234567.50')).toBe('KES 1,234,567.50');
    expect(kes('0.00')).toBe('KES 0.00');
    expect(kes('999')).toBe('KES 999.00');
    expect(kes('1000')).toBe('KES 1,000.00');
    expect(kes('-12.00')).toBe('-KES 12.00');
    expect(kes('90071992547409.93')).toBe('KES 90,071,992,547,409.93');
  });
  it('shows a dash for no amount, and an unexpected string as it is', () => {
    expect(kes(null)).toBe('—');
    expect(kes(undefined)).toBe('—');
    expect(kes('abc')).toBe('KES abc');
  });
});

describe('cents', () => {
  it('reads decimal strings exactly and back', () => {
    expect(cents('1500.05')).toBe(150005);
    expect(cents('0.1')).toBe(10);
    expect(cents('12')).toBe(1200);
    expect(fromCents(cents('20000.00') + cents('240.00'))).toBe('20240.00');
    expect(fromCents(-5)).toBe('-0.05');
  });
});

describe('duration', () => {
  it('says seconds, minutes and hours in words', () => {
    expect(duration(45)).toBe('45 s');
    expect(duration(200)).toBe('3 min 20 s');
    expect(duration(7500)).toBe('2 h 5 min');
    expect(duration(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('localToRfc3339', () => {
  it('gives a datetime-local value its offset', () => {
    const value = localToRfc3339('2026-12-25T08:00');
    expect(value).toMatch(/^2026-12-25T08:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(value!).getTime()).toBe(new Date('2026-12-25T08:00').getTime());
    // With step=1 the input gives seconds too: a batch can be scheduled to the second.
    expect(localToRfc3339('2026-12-25T08:00:30')).toMatch(/^2026-12-25T08:00:30[+-]\d{2}:\d{2}$/);
    expect(localToRfc3339('not a date')).toBeUndefined();
  });
});

describe('parseCsvCells', () => {
  it('finds records by the physical line they start on, through quotes and line breaks in quotes', () => {
    const csv = '\uFEFFid,name,amount\r\nE1,"Otieno, A.",100\r\nE2,"two\nlines",200\r\nE3,"say ""hi""",300\r\n';
    const { header, byLine } = parseCsvCells(csv, new Set([2, 3, 5]));
    expect(header).toEqual(['id', 'name', 'amount']);
    expect(byLine.get(2)).toEqual(['E1', 'Otieno, A.', '100']);
    expect(byLine.get(3)).toEqual(['E2', 'two\nlines', '200']);
    // E3 starts on line 5: the quoted line break took line 4.
    expect(byLine.get(5)).toEqual(['E3', 'say "hi"', '300']);
    expect(byLine.has(4)).toBe(false);
  });
  it('reads semicolon-separated files (Excel in many locales)', () => {
    const { header, byLine } = parseCsvCells('id;amount\nE1;1500,50\n', new Set([2]));
    expect(header).toEqual(['id', 'amount']);
    expect(byLine.get(2)).toEqual(['E1', '1500,50']);
  });
});

describe('rateOf (the batch page: payouts per second from successive polls)', () => {
  it('is settled payouts over seconds between the oldest and newest sample, 0 without two samples', () => {
    expect(rateOf([])).toBe(0);
    expect(rateOf([{ at: 0, settled: 5 }])).toBe(0);
    expect(rateOf([{ at: 0, settled: 5 }, { at: 1000, settled: 8 }, { at: 4000, settled: 25 }])).toBe(5);
    // A batch parked for funds settles nothing: the rate falls to 0 (and no time left is shown).
    expect(rateOf([{ at: 0, settled: 20 }, { at: 5000, settled: 20 }])).toBe(0);
  });
});
