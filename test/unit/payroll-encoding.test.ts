import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayrollDecoder, utf8SequenceLength } from '../../src/payroll/encoding.js';
import { LineEndingNormaliser } from '../../src/payroll/line-endings.js';

/** Decodes `bytes` split at `cuts`; returns the text or the refusal. */
function decode(bytes: Buffer, cuts: number[] = []): { text?: string; rule?: string; line?: number | null; decoder: PayrollDecoder } {
  const decoder = new PayrollDecoder();
  const parts: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    const r = decoder.write(bytes.subarray(start, cut));
    if (!r.ok) return { rule: r.issue.rule, line: r.issue.line, decoder };
    parts.push(r.bytes);
    start = cut;
  }
  const end = decoder.end();
  if (!end.ok) return { rule: end.issue.rule, line: end.issue.line, decoder };
  parts.push(end.bytes);
  return { text: Buffer.concat(parts).toString('utf8'), decoder };
}

const cp1252 = (text: string): Buffer => {
  const table: Record<string, number> = { '€': 0x80, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, 'Œ': 0x8c, 'Ž': 0x8e };
  return Buffer.from([...text].map((ch) => table[ch] ?? ch.charCodeAt(0)));
};

describe('payroll file encoding', () => {
  it('passes ASCII and UTF-8 through and strips a UTF-8 byte-order mark', () => {
    const ascii = decode(Buffer.from('Phone,Amount\n0712345678,1000\n'));
    expect(ascii.text).toBe('Phone,Amount\n0712345678,1000\n');
    expect(ascii.decoder.encoding).toBe('utf-8');
    const bom = decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name\nJosé Müller\n')]));
    expect(bom.text).toBe('Name\nJosé Müller\n');
    expect(bom.decoder.bom).toBe(true);
    expect(bom.decoder.warning).toBeUndefined();
  });

  it('transcodes Windows-1252 (Excel "CSV" on Windows) and warns once, naming the first line', () => {
    const r = decode(cp1252('Name,Amount\nPlain,1\nJosé Müller,2\nRenée “Nana” Œ–€,3\n'));
    expect(r.text).toBe('Name,Amount\nPlain,1\nJosé Müller,2\nRenée “Nana” Œ–€,3\n');
    expect(r.decoder.encoding).toBe('windows-1252');
    expect(r.decoder.warning?.rule).toBe('transcoded_from_windows_1252');
    expect(r.decoder.warning?.severity).toBe('warning');
    expect(r.decoder.warning?.line).toBe(3);
  });

  it('refuses UTF-16, zip workbooks, NUL bytes, undefined Windows-1252 bytes and mixed encodings', () => {
    expect(decode(Buffer.from('\ufeffPhone,Amount\n', 'utf16le')).rule).toBe('not_utf8');
    expect(decode(Buffer.from([0xfe, 0xff, 0, 0x50])).rule).toBe('not_utf8');
    expect(decode(Buffer.from('Phone,Amount\n', 'utf16le'))).toMatchObject({ rule: 'not_utf8', line: 1 });
    expect(decode(Buffer.from('PK\u0003\u0004rest-of-a-zip')).rule).toBe('not_csv');
    expect(decode(Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0x81]), Buffer.from('\n')]))).toMatchObject({ rule: 'not_utf8', line: 3 });
    // UTF-8 first, then a byte that is not: rows pasted from a Windows-1252 file.
    expect(decode(Buffer.concat([Buffer.from('Name\nJosé\n'), cp1252('Müller\n')]))).toMatchObject({ rule: 'not_utf8', line: 3 });
    // Windows-1252 first, then well-formed UTF-8: transcoding would garble the UTF-8 part.
    expect(decode(Buffer.concat([cp1252('Name\nMüller\n'), Buffer.from('José\n')]))).toMatchObject({ rule: 'not_utf8', line: 3 });
  });

  it('gives the same result however the bytes are split into chunks', () => {
    const samples = [
      Buffer.from('\ufeffName,Amount\nJosé Müller,1\n日本,2\n😀,3\n'),
      cp1252('Name,Amount\nJosé Müller,1\nRenée,2\n'),
      Buffer.concat([Buffer.from('Name\nJosé\n'), cp1252('Müller\n')]),
    ];
    for (const bytes of samples) {
      const whole = decode(bytes);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 8 }), (cuts) => {
          const split = decode(bytes, cuts);
          expect({ text: split.text, rule: split.rule, line: split.line }).toEqual({ text: whole.text, rule: whole.rule, line: whole.line });
        }),
        { numRuns: 300 },
      );
    }
  });

  it('recognises exactly the well-formed UTF-8 sequences', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 6 }), (bytes) => {
        const n = utf8SequenceLength(bytes, 0);
        if (n > 0) expect(Buffer.from(bytes.subarray(0, n)).toString('utf8')).toHaveLength(n === 4 ? 2 : 1);
        const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, Math.max(n, 1)));
        if (n === 0) expect(decoded).toContain('\ufffd');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('line endings', () => {
  const normalise = (chunks: string[]): string => {
    const n = new LineEndingNormaliser();
    return Buffer.concat([...chunks.map((c) => n.write(Buffer.from(c))), n.end()]).toString();
  };

  it('turns CRLF and lone CR into LF, across chunk boundaries', () => {
    expect(normalise(['a\r\nb\r\n'])).toBe('a\nb\n');
    expect(normalise(['a\r', '\nb\r', '\r\n'])).toBe('a\nb\n\n');
    expect(normalise(['a\rb\rc'])).toBe('a\nb\nc');
    expect(normalise(['a\r'])).toBe('a\n');
    expect(normalise(['no breaks'])).toBe('no breaks');
  });

  it('matches a whole-text replace for any split', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\r', '\n', ','), maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 5 }), (text, cuts) => {
        const points = [...new Set(cuts.filter((c) => c < text.length))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
        expect(normalise(chunks)).toBe(text.replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 2000 },
    );
  });
});
