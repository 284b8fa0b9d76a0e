import { describe, expect, it } from 'vitest';
import { readBool, readEnum, readInt, readString } from '../../src/common/env.js';
import { ConfigError } from '../../src/common/errors.js';

describe('environment readers', () => {
  it('falls back when a variable is unset or blank', () => {
    expect(readString({}, 'X', 'd')).toBe('d');
    expect(readInt({ X: '  ' }, 'X', 7)).toBe(7);
    expect(readBool({}, 'X', true)).toBe(true);
  });

  it('parses valid values', () => {
    expect(readInt({ X: '42' }, 'X', 0)).toBe(42);
    expect(readBool({ X: 'yes' }, 'X', false)).toBe(true);
    expect(readBool({ X: 'OFF' }, 'X', true)).toBe(false);
    expect(readEnum({ X: 'strict' }, 'X', ['strict', 'skip-invalid'], 'skip-invalid')).toBe('strict');
  });

  it('names the variable and the rule when a value is wrong', () => {
    expect(() => readInt({ PG_PORT: '54x' }, 'PG_PORT', 1)).toThrow(new ConfigError('PG_PORT', 'expected a whole number, got "54x"'));
    expect(() => readInt({ PG_PORT: '70000' }, 'PG_PORT', 1, { max: 65535 })).toThrow(/PG_PORT: must be at most 65535/);
    expect(() => readBool({ CI: 'maybe' }, 'CI', false)).toThrow(/CI: expected true or false/);
    expect(() => readEnum({ P: 'lax' }, 'P', ['strict'], 'strict')).toThrow(/P: expected one of strict, got "lax"/);
  });
});
