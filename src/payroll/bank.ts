import { RULES, finding, type Finding } from './issues.js';

export type BankAccountResult = { ok: true; accountNumber: string } | { ok: false; finding: Finding };

const ACCOUNT_SEPARATORS = /[\s\-\u00a0]/g;
const ACCOUNT = /^\d{6,20}$/;
const BANK_CODE = /^[A-Za-z0-9]{1,11}$/;

/** Bank account numbers are personal data too: reports show the last four digits only. */
export function maskAccount(raw: string): string {
  const text = raw.trim();
  if (text.length <= 4) return '*'.repeat(text.length);
  return `${'*'.repeat(text.length - 4)}${text.slice(-4)}`;
}

/** 6 to 20 digits once spaces and dashes are removed (`0123-456 789` -> `0123456789`). */
export function normaliseAccountNumber(raw: string): BankAccountResult {
  const text = raw.trim();
  if (text === '') return { ok: false, finding: finding(RULES.bankAccountMissing, 'Bank payouts need an account number.') };
  const digits = text.replace(ACCOUNT_SEPARATORS, '');
  if (!ACCOUNT.test(digits)) {
    return { ok: false, finding: finding(RULES.bankAccountInvalid, `"${maskAccount(text)}" is not a bank account number; expected 6 to 20 digits (spaces and dashes are allowed).`) };
  }
  return { ok: true, accountNumber: digits };
}

/** A bank code as banks publish them (`01`, `68`, `KCBLKENX`): letters and digits only. */
export function checkBankCode(code: string): Finding | undefined {
  if (BANK_CODE.test(code)) return undefined;
  return finding(RULES.bankCodeInvalid, `"${code}" is not a bank code; use the bank's code as published (letters and digits, like 01 or 68), or give the bank name instead.`);
}
