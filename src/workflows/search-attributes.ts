import { defineSearchAttributeKey } from '@temporalio/common';

/** Keyword search attributes registered on the namespace (see src/dev/search-attributes.ts). */
export const BatchIdKey = defineSearchAttributeKey('BatchId', 'KEYWORD');
export const BatchStatusKey = defineSearchAttributeKey('BatchStatus', 'KEYWORD');
export const PayoutStatusKey = defineSearchAttributeKey('PayoutStatus', 'KEYWORD');
