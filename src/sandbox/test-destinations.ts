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

/** A stable recipient name per destination, as a network would report it. */
export function recipientName(destination: string): string {
  let hash = 0;
  for (const ch of destination) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  return NAMES[hash % NAMES.length]!;
}
