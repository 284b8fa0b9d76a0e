import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecordReader, MAX_RECORD_CHARS, splitPlainLine } from '../../src/payroll/csv-reader.js';

interface Read {
  records: Array<{ fields: string[]; line: number }>;
  error?: string;
}

async function read(text: string, delimiter: string, cuts: number[] = []): Promise<Read> {
  const out: Read = { records: [] };
  const reader = new CsvRecordReader(delimiter, (fields, line) => out.records.push({ fields, line }));
  const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
  try {
    let start = 0;
    for (const cut of [...points, text.length]) {
      reader.write(text.slice(start, cut));
      start = cut;
    }
    reader.end();
  } catch (err) {
    out.error = reader.describe(err).message;
  }
  return Promise.resolve(out);
}

/** What csv-parse alone makes of the text; start lines counted from its raw record text, independently. */
function reference(text: string, delimiter: string): Array<{ fields: string[]; line: number }> {
  const rows = parse(text, { delimiter, record_delimiter: '\n', relax_column_count: true, relax_quotes: true, raw: true }) as unknown as Array<{ record: string[]; raw: string }>;
  let line = 1;
  return rows.map(({ record, raw }) => {
    const start = line;
    line += raw.split('\n').length - 1;
    return { fields: record, line: start };
  });
}

const cell = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '.', 'é'), maxLength: 6 }),
  fc.string({ unit: fc.constantFrom('a', ',', ';', '\n', '"', ' '), maxLength: 6 }).map((s) => `"${s.replace(/"/g, '""')}"`),
  fc.constantFrom('ab "c" d', '12" pipe', '', 'x"y,"z'),
);

describe('CSV records', () => {
  it('reads quoted cells with delimiters, doubled quotes and line breaks, with start lines', async () => {
    const text = 'a,b,c\n"x, y","say ""hi""","two\nlines"\n\nplain,row,here\n"last\n\nthree",q,"r"';
    const r = await read(text, ',');
    expect(r.records).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['x, y', 'say "hi"', 'two\nlines'], line: 2 },
      { fields: [''], line: 4 },
      { fields: ['plain', 'row', 'here'], line: 5 },
      { fields: ['last\n\nthree', 'q', 'r'], line: 6 },
    ]);
  });

  it('keeps literal quotes inside unquoted cells (relaxed quotes), like csv-parse', async () => {
    const r = await read('a,b\nab "c" d,12" pipe\nx"y,"z\nw"\n', ',');
    expect(r.records.map((x) => x.fields)).toEqual([['a', 'b'], ['ab "c" d', '12" pipe'], ['x"y', 'z\nw']]);
  });

  it('reports an unclosed quote at the line where its record starts', async () => {
    const r = await read('Phone,Amount\n0712345678,"1000\n0722000111,2000\n', ',');
    expect(r.records).toHaveLength(1);
    expect(r.error).toBe('The quoted cell that starts on line 2 is never closed: a closing " is missing. The file must be fixed before it can be checked further.');
  });

  it('refuses a closed multi-line cell over the record limit as too long, not as a quote never closed', async () => {
    // 200 KB in one quoted cell over 2,000 lines, properly closed, then a normal row.
    const cell = Array.from({ length: 2000 }, () => 'x'.repeat(99)).join('\n');
    const text = `Phone,Amount,Note\n0712345678,1000,ok\n0712345679,1000,"${cell}"\n0712345670,1000,after\n`;
    const cuts = Array.from({ length: Math.ceil(text.length / 65_536) }, (_, i) => i * 65_536);
    for (const at of [[], cuts]) {
      const r = await read(text, ',', at);
      expect(r.error).toBe(
        'Line 3: a record longer than 128,000 characters, the most one row may hold. Split the long cell, or check for a quote that is never closed ' +
          '(the cell then runs on over the following lines). The file must be fixed before it can be checked further.',
      );
      expect(r.records.map((x) => x.line)).toEqual([1, 2]);
    }
  });

  it('stops at the record limit on one huge line: nothing after it is asked for', () => {
    const seen: number[] = [];
    const reader = new CsvRecordReader(',', (_fields, line) => seen.push(line));
    reader.write('a,b\n1,"');
    let written = 0;
    let refusal: unknown;
    try {
      for (; written < 1000; written++) reader.write('y'.repeat(65_536));
    } catch (err) {
      refusal = err;
    }
    expect(reader.describe(refusal).line).toBe(2);
    expect(reader.describe(refusal).rule).toBe('record_too_long');
    // Refused within one chunk of passing the limit.
    expect(written).toBe(Math.floor(MAX_RECORD_CHARS / 65_536));
    expect(seen).toEqual([1]);
  });

  it('a record of exactly the limit is read; one character more is refused', async () => {
    const at = (n: number) => `a,b\n"${'z'.repeat(n - 5)}\n",1\nc,d\n`;
    const fits = await read(at(MAX_RECORD_CHARS), ',');
    expect(fits.error).toBeUndefined();
    expect(fits.records.map((x) => x.line)).toEqual([1, 2, 4]);
    const over = await read(at(MAX_RECORD_CHARS + 1), ',', [10, 70_000]);
    expect(over.error).toMatch(/^Line 2: a record longer than 128,000 characters/);
  });

  it('gives exactly what csv-parse gives, for any records and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';', '\t'),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(200), { maxLength: 6 }),
        async (delimiter, rows, trailingNewline, cuts) => {
          const text = rows.map((r) => r.join(delimiter)).join('\n') + (trailingNewline ? '\n' : '');
          let expected: ReturnType<typeof reference> | 'error';
          try {
            expected = reference(text, delimiter);
          } catch {
            expected = 'error';
          }
          const actual = await read(text, delimiter, cuts);
          if (expected === 'error') expect(actual.error).toBeDefined();
          else expect(actual).toEqual({ records: expected });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('gives what csv-parse gives for arbitrary text, quotes and line breaks anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';'),
        fc.string({ unit: fc.constantFrom('a', 'b', ',', ';', '"', '"', '\n', ' ', 'é'), maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 5 }),
        async (delimiter, text, cuts) => {
          let expected: ReturnType<typeof reference> | 'error';
          try {
            expected = reference(text, delimiter);
          } catch {
            expected = 'error';
          }
          const actual = await read(text, delimiter, cuts);
          if (expected === 'error') expect(actual.error).toBeDefined();
          else expect(actual).toEqual({ records: expected });
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('splits plain lines exactly as csv-parse does, and leaves every other line to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', 'x'), maxLength: 24 }), (line) => {
        const fields = splitPlainLine(line, ',');
        if (fields === undefined) return;
        expect(fields).toEqual(parse(line, { delimiter: ',', relax_column_count: true, relax_quotes: true })[0] ?? ['']);
      }),
      { numRuns: 10000 },
    );
    expect(splitPlainLine('"Otieno, James","say ""hi""",,x', ',')).toEqual(['Otieno, James', 'say "hi"', '', 'x']);
    expect(splitPlainLine('ab "c" d,1', ',')).toBeUndefined();
    expect(splitPlainLine('"abc"def,1', ',')).toBeUndefined();
    expect(splitPlainLine('"open,1', ',')).toBeUndefined();
  });
});
