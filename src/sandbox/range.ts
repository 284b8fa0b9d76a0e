import { SandboxConfigError } from './errors.js';

/** An inclusive range of milliseconds (or any non-negative integer), drawn from uniformly. */
export interface Range {
  min: number;
  max: number;
}

/** Accepts `{min, max}`, a single number (fixed), or the CLI form `"200-2000"` / `"500"`. */
export function parseRange(field: string, value: unknown): Range {
  let range: { min: unknown; max: unknown };
  if (typeof value === 'number') range = { min: value, max: value };
  else if (typeof value === 'string') {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
    if (!match) throw new SandboxConfigError(field, `expected "MIN-MAX" or "N" in milliseconds, got "${value}"`);
    range = { min: Number(match[1]), max: Number(match[2] ?? match[1]) };
  } else if (typeof value === 'object' && value !== null && 'min' in value && 'max' in value) {
    range = { min: value.min, max: value.max };
  } else {
    throw new SandboxConfigError(field, 'expected {"min": N, "max": N}, a number, or "MIN-MAX"');
  }
  const { min, max } = range;
  if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0) throw new SandboxConfigError(field, 'min must be a non-negative integer');
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < min) throw new SandboxConfigError(field, 'max must be an integer not below min');
  return { min, max };
}

export function formatRange(range: Range): string {
  return range.min === range.max ? String(range.min) : `${range.min}-${range.max}`;
}
