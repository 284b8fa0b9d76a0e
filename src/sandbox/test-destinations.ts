/**
 * Magic destinations that make a payment settle in a known way, so that tests and demos can exercise
 * failures (PesaWay publishes no test numbers of its own; pesaway-api.md §12.17). Every other destination
 * succeeds. Failure codes and texts are the M-Pesa ones PesaWay appears to pass through (§6); the bank
 * code is the sandbox's own choice, as no bank result catalogue is known.
 *
 * | Destination                  | Outcome                                                                 |
 * |------------------------------|-------------------------------------------------------------------------|
 * | phone 254700000404           | ResultCode 2040, unregistered subscriber                                |
 * | phone 254700000409           | ResultCode 2, "Declined due to limit rule."                             |
 * | phone 254700000999           | never settles: stays pending, no callback                               |
 * | bank account 000000000404    | ResultCode 2041, "Invalid account number"                               |
 * | bank account 000000000999    | never settles: stays pending, no callback                               |
 */
export type PlannedOutcome =
  | { kind: 'success' }
  | { kind: 'failure'; resultCode: number; resultDesc: string }
  | { kind: 'never' };

export const RESULT_SUCCESS_DESC = 'The service request is processed successfully.';

/** For tests elsewhere (client, engine): the magic destinations by meaning. */
export const TEST_PHONES = { unregistered: '254700000404', limitDeclined: '254700000409', neverSettles: '254700000999' } as const;
export const TEST_ACCOUNTS = { invalid: '000000000404', neverSettles: '000000000999' } as const;

const PHONE_OUTCOMES: Readonly<Record<string, PlannedOutcome>> = {
  [TEST_PHONES.unregistered]: { kind: 'failure', resultCode: 2040, resultDesc: "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service." },
  [TEST_PHONES.limitDeclined]: { kind: 'failure', resultCode: 2, resultDesc: 'Declined due to limit rule.' },
  [TEST_PHONES.neverSettles]: { kind: 'never' },
};

const ACCOUNT_OUTCOMES: Readonly<Record<string, PlannedOutcome>> = {
  [TEST_ACCOUNTS.invalid]: { kind: 'failure', resultCode: 2041, resultDesc: 'Invalid account number' },
  [TEST_ACCOUNTS.neverSettles]: { kind: 'never' },
};

export function plannedOutcome(destination: { phone: string } | { accountNumber: string }): PlannedOutcome {
  const table = 'phone' in destination ? PHONE_OUTCOMES : ACCOUNT_OUTCOMES;
  const key = 'phone' in destination ? destination.phone : destination.accountNumber;
  return Object.hasOwn(table, key) ? table[key]! : { kind: 'success' };
}

const NAMES = [
  'JANE WANJIKU', 'JOHN KAMAU', 'MARY ACHIENG', 'PETER OTIENO', 'GRACE NJERI', 'DAVID MWANGI', 'FAITH CHEBET',
  'JAMES KIPROTICH', 'ANN WAMBUI', 'JOSEPH ODHIAMBO', 'MERCY MUTHONI', 'SAMUEL KIBET',
];

/** Every name the sandbox reports receivers by (tests look for them where they must not be). */
export const RECIPIENT_NAMES: readonly string[] = NAMES;

function hashOf(destination: string): number {
  let hash = 0;
  for (const ch of destination) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  return hash;
}

/** A stable recipient name per destination, as a network would report it. */
export function recipientName(destination: string): string {
  return NAMES[hashOf(destination) % NAMES.length]!;
}

/** `254711000109` written the ways people and systems write numbers: the unmasked receiver numbers. */
const SPELLINGS: ReadonlyArray<(d: string) => string> = [
  (d) => d,
  (d) => `+254 ${d.slice(3, 6)} ${d.slice(6, 9)} ${d.slice(9)}`,
  (d) => `0${d.slice(3, 6)}-${d.slice(6, 9)}-${d.slice(9)}`,
  (d) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}.${d.slice(9)}`,
  (d) => `(0${d.slice(3, 6)}) ${d.slice(6, 9)} ${d.slice(9)}`,
  (d) => `0${d.slice(3)}`,
];

/**
 * A phone number (`2547XXXXXXXX`) spelled one of those ways, chosen by its last digit modulo 6 (stable, and
 * easy for a test to cover): 0 plain, 1 `+254 7XX XXX XXX`, 2 `07XX-XXX-XXX`, 3 `254.7XX.XXX.XXX`,
 * 4 `(07XX) XXX XXX`, 5 `07XXXXXXXX`.
 */
export function spelledPhone(phone: string): string {
  return /^254\d{9}$/.test(phone) ? SPELLINGS[Number(phone.slice(-1)) % SPELLINGS.length]!(phone) : phone;
}
