import { inflateRawSync } from 'node:zlib';
import { zipSync, type Zippable } from 'fflate';
import { WorkbookError } from './workbook-error.js';

/**
 * The zip container of an .xlsx workbook, opened within bounds. A workbook is a zip of XML parts; a tiny
 * upload can inflate to gigabytes (a zip bomb) and no reader should ever be handed that. So the parts are
 * inflated here, each with a hard cap on its output (zlib stops at the cap, it never allocates past it),
 * the total is capped too, and the reading library then gets a re-packed, stored-only zip of exactly the
 * parts that were checked: what it reads is what was measured, whatever the original headers claim.
 */

/** Far above any payroll (a 200,000-row sheet is some 60 MB of XML), far below what would hurt the API. */
export const MAX_WORKBOOK_XML_BYTES = 256 * 1024 * 1024;
/** Parts in one workbook: real ones have a few dozen. */
const MAX_ENTRIES = 10_000;

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;

/** `PK\x03\x04`: a zip file (every .xlsx is one). */
export const isZip = (head: Buffer): boolean => head.length >= 4 && head.readUInt32LE(0) === LOCAL_HEADER;
/** `D0 CF 11 E0`: an OLE compound file, the legacy binary .xls format (also old .doc). */
export const isLegacyXls = (head: Buffer): boolean => head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0;

/** The parts that a workbook reader needs: XML and relationships (images, printer settings are skipped). */
const isNeeded = (name: string): boolean => name.endsWith('.xml') || name.endsWith('.rels');

const unreadable = (why: string): WorkbookError =>
  new WorkbookError('workbook_unreadable', `The file looks like an Excel workbook but cannot be opened (${why}). Open it in Excel, save it again as .xlsx (or export the sheet as CSV), and upload that.`);

export const tooLarge = (what: string): WorkbookError =>
  new WorkbookError(
    'workbook_too_large',
    `The workbook ${what}, far more than any payroll needs; it was not read further. Remove other sheets and unused content, or export the payroll sheet as CSV (which has no such limit), and upload that.`,
  );

function endOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end of the file.
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= stop; at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw unreadable('no zip directory at its end: the file is cut short or not a zip');
}

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localHeader: number;
}

function entries(zip: Buffer): Entry[] {
  const end = endOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw tooLarge('is a ZIP64 archive (over 4 GB or 65,535 parts)');
  if (count > MAX_ENTRIES) throw tooLarge(`has ${count.toLocaleString('en')} parts`);
  if (at + size > end) throw unreadable('its zip directory points outside the file');
  const list: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL_HEADER) throw unreadable('its zip directory is damaged');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    list.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeader: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return list;
}

function compressedData(zip: Buffer, entry: Entry): Buffer {
  const at = entry.localHeader;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) throw unreadable(`the part ${entry.name} is damaged`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw unreadable(`the part ${entry.name} runs past the end of the file`);
  return zip.subarray(start, end);
}

/**
 * The workbook's XML parts, inflated: at most MAX_WORKBOOK_XML_BYTES in all (`limit` for tests), refused
 * with `workbook_too_large` the moment a part would pass what is left of it. Time and memory are bounded
 * by the cap: zlib's `maxOutputLength` stops inflating there.
 */
export function unpackWorkbook(zip: Buffer, limit = MAX_WORKBOOK_XML_BYTES): Map<string, Buffer> {
  const parts = new Map<string, Buffer>();
  let total = 0;
  for (const entry of entries(zip)) {
    if (entry.name.endsWith('/') || !isNeeded(entry.name)) continue;
    if (entry.flags & 1) {
      throw new WorkbookError('workbook_encrypted', 'The workbook is password-protected, so it cannot be read. Remove the password in Excel (File → Info → Protect Workbook), save, and upload it again.');
    }
    const data = compressedData(zip, entry);
    const room = limit - total;
    let content: Buffer;
    if (entry.method === STORED) {
      if (data.length > room) throw tooLarge(`holds more than ${mb(limit)} of XML`);
      content = data;
    } else if (entry.method === DEFLATED) {
      try {
        // One byte over the room proves the part too large without inflating a byte more.
        content = inflateRawSync(data, { maxOutputLength: room + 1 });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(`holds more than ${mb(limit)} of XML once unpacked`);
        throw unreadable(`the part ${entry.name} is damaged: ${(err as Error).message}`);
      }
      if (content.length > room) throw tooLarge(`holds more than ${mb(limit)} of XML once unpacked`);
    } else {
      throw unreadable(`the part ${entry.name} uses zip compression method ${entry.method}, which Excel never writes`);
    }
    total += content.length;
    parts.set(entry.name, content);
  }
  return parts;
}

/** The checked parts as a stored (uncompressed) zip: the only input the reading library ever sees. */
export function repackWorkbook(parts: ReadonlyMap<string, Buffer>): Buffer {
  const files: Zippable = {};
  for (const [name, content] of parts) files[name] = [content, { level: 0 }];
  const zipped = zipSync(files);
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

const mb = (bytes: number): string => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`);
