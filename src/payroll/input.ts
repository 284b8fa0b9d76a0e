/** A payroll file as it arrives: a Node stream, a generator of chunks, anything async-iterable. */
export type PayrollInput = AsyncIterable<Buffer | Uint8Array | string>;

export const toBuffer = (chunk: Buffer | Uint8Array | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
