// The workflows the worker registers. Workflow code only: activities are referenced by type.
export { batchWorkflow } from './batch.js';
export { shardWorkflow } from './shard.js';
export { webhookDeliveryWorkflow } from './webhook.js';
export { walletBalanceWorkflow } from './wallet.js';
