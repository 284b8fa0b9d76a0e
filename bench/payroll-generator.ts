import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/**
 * A deterministic, realistic payroll export for benchmarks: the spellings the validator meets in practice.
 *   phones   50% 07XXXXXXXX, 15% "0712 345 678", 15% 2547XXXXXXXX, 10% "+254 7XX XXX XXX", 10% 011X XXX XXX
 *   amounts  70% plain (45000.00), 30% with thousands separators and therefore quoted ("45,000.00")
 *   names    10% "Surname, Given" (quoted); channel 80% empty, 10% mpesa, 10% Airtel Money
 * `quoteEvery` quotes every cell instead (the slowest case: every record goes through csv-parse).
 * Every row is valid and unique (no duplicate employee ids, phones or warnings).
 */
export interface GeneratorOptions {
  rows: number;
  seed?: number;
  quoteEvery?: boolean;
}

const GIVEN = ['Achieng', 'Brian', 'Cynthia', 'David', 'Esther', 'Faith', 'George', 'Halima', 'Ian', 'Joy', 'Kevin', 'Lucy', 'Moses', 'Njeri', 'Otieno', 'Purity'];
const FAMILY = ['Odhiambo', 'Kiprono', 'Wambui', 'Mutua', 'Njoroge', 'Chebet', 'Otieno', 'Hassan', 'Kamau', 'Wanjiku', 'Mwangi', 'Akinyi', 'Kariuki', 'Omondi'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const withCommas = (whole: number): string => String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One data row (1-based `i`). Phones are a bijection of i, so they never repeat. */
export function payrollRow(i: number, random: () => number, quoteEvery = false): string {
  const given = GIVEN[i % GIVEN.length]!;
  const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
  const r = random();
  let phone: string;
  if (r < 0.9) {
    const nsn = `7${String((i * 7919 + 12_345) % 100_000_000).padStart(8, '0')}`;
    if (r < 0.5) phone = `0${nsn}`;
    else if (r < 0.65) phone = `0${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`;
    else if (r < 0.8) phone = `254${nsn}`;
    else phone = `+254 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`;
  } else {
    const nsn = `11${String(i % 10_000_000).padStart(7, '0')}`;
    phone = `0${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`;
  }
  const whole = 1000 + Math.floor(random() * 150_000);
  const cents = random() < 0.5 ? '00' : String(Math.floor(random() * 100)).padStart(2, '0');
  const amount = random() < 0.3 ? `"${withCommas(whole)}.${cents}"` : `${whole}.${cents}`;
  const name = random() < 0.1 ? `"${family}, ${given}"` : `${given} ${family}`;
  const c = random();
  const channel = c < 0.8 ? '' : c < 0.9 ? 'mpesa' : 'Airtel Money';
  const cells = [`EMP${String(i).padStart(7, '0')}`, name, phone, amount, channel, 'March 2026 salary'];
  if (!quoteEvery) return cells.join(',');
  return cells.map((cell) => (cell.startsWith('"') ? cell : `"${cell}"`)).join(',');
}

export const PAYROLL_HEADER = 'Employee ID,Employee Name,Phone,Net Pay,Channel,Narration';

export async function writePayroll(path: string, options: GeneratorOptions): Promise<void> {
  const random = mulberry32(options.seed ?? 20_260_301);
  await mkdir(dirname(path), { recursive: true }); // bench/out/ is not in git: a fresh clone lacks it
  const out = createWriteStream(path);
  let buffer = `${PAYROLL_HEADER}\r\n`;
  for (let i = 1; i <= options.rows; i++) {
    buffer += `${payrollRow(i, random, options.quoteEvery)}\r\n`;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await finished(out);
}
