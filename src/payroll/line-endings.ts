const CR = 0x0d;
const LF = 0x0a;
const LF_BUFFER = Buffer.from([LF]);

/**
 * Turns CRLF and lone CR into LF, chunk by chunk (a CR at the end of a chunk waits for the next one).
 * With one kind of line break, csv-parse's line count is the physical line number an officer sees in
 * an editor, also when a quoted cell holds a Windows line break. The stored audit copy keeps the original bytes.
 */
export class LineEndingNormaliser {
  private pendingCr = false;

  write(chunk: Buffer): Buffer {
    let start = 0;
    const parts: Buffer[] = [];
    if (this.pendingCr) {
      this.pendingCr = false;
      parts.push(LF_BUFFER);
      if (chunk[0] === LF) start = 1;
    }
    let cr = chunk.indexOf(CR, start);
    if (cr === -1) return parts.length === 0 ? chunk : Buffer.concat([...parts, chunk.subarray(start)]);
    while (cr !== -1) {
      parts.push(chunk.subarray(start, cr));
      if (cr === chunk.length - 1) {
        this.pendingCr = true;
        start = chunk.length;
        break;
      }
      parts.push(LF_BUFFER);
      start = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
      cr = chunk.indexOf(CR, start);
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
    return Buffer.concat(parts);
  }

  end(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    return LF_BUFFER;
  }
}
