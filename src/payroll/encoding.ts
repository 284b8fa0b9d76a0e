import { isAscii, isUtf8 } from 'node:buffer';
import { RULES, fileIssue, type Issue } from './issues.js';

/**
 * Payroll files are read as UTF-8. Excel's plain "CSV" on Windows writes Windows-1252 instead, so the first
 * byte that is not ASCII decides: valid UTF-8 -> UTF-8 from then on; otherwise the file is transcoded from
 * Windows-1252 and a warning says so (the officer must acknowledge it). Nothing is ever decoded silently
 * wrong; the file is refused when:
 *   - it starts with a UTF-16/UTF-32 byte-order mark or holds NUL bytes (UTF-16, a binary file),
 *   - it is a zip container (an .xlsx workbook),
 *   - it was UTF-8 and later has bytes that are not (two encodings mixed),
 *   - it is read as Windows-1252 but holds bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D),
 *     or also holds well-formed UTF-8 multi-byte sequences (mixed again: transcoding would garble them).
 * Input lines must already end in LF (see line-endings.ts) so refusals can name the line.
 */
export type SourceEncoding = 'utf-8' | 'windows-1252';

export type DecodeResult = { ok: true; bytes: Buffer } | { ok: false; issue: Issue };

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
const UNDEFINED_IN_WINDOWS_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
/**
 * Where Windows-1252 differs from Latin-1: bytes 0x80-0x9F are letters and punctuation, not control codes.
 * (Node 20's TextDecoder('windows-1252') decodes these as Latin-1 control codes, so it is not used.)
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1_RANGE = /[\u0080-\u009f]/g;

/** Windows-1252 bytes as text (the undefined bytes must have been refused before). */
export function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(C1_RANGE, (ch) => WINDOWS_1252_HIGH[ch.charCodeAt(0) - 0x80]!);
}
const SAVE_AS = 'In Excel use File > Save As > "CSV UTF-8 (Comma delimited)" and upload that file.';

const refuse = (message: string, line: number | null = null): DecodeResult => ({ ok: false, issue: fileIssue(RULES.notUtf8, message, { line }) });

/** Length of the well-formed UTF-8 sequence starting at `i` (1 for ASCII), or 0 when there is none. */
export function utf8SequenceLength(buf: Uint8Array, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + need >= buf.length) return 0;
  const second = buf[i + 1]!;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const c = buf[i + k]!;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return need + 1;
}

function firstInvalidUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const n = utf8SequenceLength(buf, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

function firstMultiByteUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i]! >= 0xc2 && utf8SequenceLength(buf, i) > 1) return i;
  }
  return -1;
}

function firstNonAscii(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return i;
  return -1;
}

function countLf(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(LF); i !== -1 && i < end; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** Bytes at the end that may start a UTF-8 sequence completed by the next chunk. */
function incompleteTail(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return 0;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return back < length ? back : 0;
  }
  return 0;
}

export class PayrollDecoder {
  private mode: 'start' | 'ascii' | SourceEncoding = 'start';
  private carry: Buffer = EMPTY;
  /** Line feeds already passed on, so refusals can name a line. */
  private lines = 0;
  /** The file started with a UTF-8 byte-order mark (removed from the output). */
  bom = false;
  /** Set when the file turned out to be Windows-1252. */
  warning: Issue | undefined;

  get encoding(): SourceEncoding {
    return this.mode === 'windows-1252' ? 'windows-1252' : 'utf-8';
  }

  /** UTF-8 bytes for the CSV parser (possibly fewer than given: an incomplete character waits). */
  write(chunk: Buffer): DecodeResult {
    return this.decode(chunk, false);
  }

  end(): DecodeResult {
    return this.decode(EMPTY, true);
  }

  private decode(chunk: Buffer, final: boolean): DecodeResult {
    let buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = EMPTY;
    if (this.mode === 'start') {
      if (buf.length < 4 && !final) {
        this.carry = Buffer.from(buf);
        return { ok: true, bytes: EMPTY };
      }
      const refused = this.checkStart(buf);
      if (refused) return refused;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        this.bom = true;
        buf = buf.subarray(3);
      }
      this.mode = 'ascii';
    }
    const nul = buf.indexOf(0);
    if (nul !== -1) {
      return refuse(`Line ${this.lineAt(buf, nul)} contains NUL bytes: this is a UTF-16 ("Unicode Text") or binary file, not a UTF-8 CSV. ${SAVE_AS}`, this.lineAt(buf, nul));
    }
    let body = buf;
    const tail = final ? 0 : incompleteTail(buf);
    if (tail > 0) {
      this.carry = Buffer.from(buf.subarray(buf.length - tail));
      body = buf.subarray(0, buf.length - tail);
    }
    const result = this.decodeBody(body);
    this.lines += countLf(body);
    return result;
  }

  private checkStart(buf: Buffer): DecodeResult | undefined {
    if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
      return refuse(`The file is UTF-16 (Excel's "Unicode Text"), not UTF-8. ${SAVE_AS}`, 1);
    }
    if (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) {
      return { ok: false, issue: fileIssue(RULES.notCsv, `This is an Excel workbook (.xlsx) or another zip file, not a CSV. ${SAVE_AS}`, { line: 1 }) };
    }
    return undefined;
  }

  private decodeBody(body: Buffer): DecodeResult {
    if (this.mode === 'ascii') {
      if (isAscii(body)) return { ok: true, bytes: body };
      if (isUtf8(body)) {
        this.mode = 'utf-8';
        return { ok: true, bytes: body };
      }
      const invalid = firstInvalidUtf8(body);
      const utf8 = firstMultiByteUtf8(body);
      if (utf8 !== -1 && utf8 < invalid) return this.notUtf8After(body, invalid);
      this.mode = 'windows-1252';
      const line = this.lineAt(body, firstNonAscii(body));
      this.warning = fileIssue(
        RULES.transcodedFromWindows1252,
        `The file is not UTF-8: it was read as Windows-1252 (Excel's plain "CSV" format) from line ${line}, the first line with a non-ASCII character. ` +
          'Check that names with accents look right; if they do not, save the file as "CSV UTF-8" and upload it again.',
        { severity: 'warning', line },
      );
      return this.transcode(body);
    }
    if (this.mode === 'utf-8') {
      if (isUtf8(body)) return { ok: true, bytes: body };
      return this.notUtf8After(body, firstInvalidUtf8(body));
    }
    return this.transcode(body);
  }

  /** UTF-8 so far, then a byte at `invalid` that is not. */
  private notUtf8After(body: Buffer, invalid: number): DecodeResult {
    const line = this.lineAt(body, invalid);
    return refuse(`Line ${line} is not UTF-8 although the text before it is: the file mixes two encodings (rows pasted from another file?). ${SAVE_AS}`, line);
  }

  private transcode(body: Buffer): DecodeResult {
    for (const byte of UNDEFINED_IN_WINDOWS_1252) {
      const at = body.indexOf(byte);
      if (at !== -1) {
        const line = this.lineAt(body, at);
        return refuse(`Line ${line} has a byte (0x${byte.toString(16).toUpperCase()}) that is neither UTF-8 nor Windows-1252, so its text cannot be read reliably. ${SAVE_AS}`, line);
      }
    }
    const utf8 = firstMultiByteUtf8(body);
    if (utf8 !== -1) {
      const line = this.lineAt(body, utf8);
      const first = this.warning?.line;
      const other = typeof first === 'number' && first !== line ? `line ${first} is` : 'other text is';
      return refuse(`Line ${line} holds UTF-8 text while ${other} Windows-1252: the file mixes two encodings and cannot be read reliably. ${SAVE_AS}`, line);
    }
    return { ok: true, bytes: Buffer.from(decodeWindows1252(body), 'utf8') };
  }

  private lineAt(buf: Buffer, index: number): number {
    return this.lines + countLf(buf, index) + 1;
  }
}
