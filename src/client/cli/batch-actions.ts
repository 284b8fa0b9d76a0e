/** The operations on a batch (`POST /v1/batches/{id}/<action>`), with what each one means for the operator. */
export interface BatchAction {
  name: string;
  description: string;
  /** Who may run it, for the help: "the submitter role". */
  roles: string;
  /** What happens now, said after the API accepted the request. */
  done: (id: string, by: string) => string;
}

export const ACTIONS: readonly BatchAction[] = [
  {
    name: 'approve',
    description: 'Approve a batch that awaits approval, or a scheduled one before its pay time; its payouts start (a scheduled batch: at its pay time, without stopping for approval). To refuse it: disburse reject.',
    roles: 'the approver role, held by someone other than the submitter',
    done: (id, by) => `Batch ${id} approved by ${by}; its payouts start now (a scheduled batch: at its pay time). Follow it with: disburse watch ${id}`,
  },
  {
    name: 'pause',
    description: 'Stop starting new payouts; those already sent settle.',
    roles: 'the submitter or approver role',
    done: (id, by) => `Batch ${id} pausing (asked by ${by}): no new payouts start; those already sent settle. Continue with: disburse resume ${id}`,
  },
  {
    name: 'resume',
    description: 'Resume a paused batch.',
    roles: 'the submitter or approver role',
    done: (id, by) => `Batch ${id} resuming (asked by ${by}).`,
  },
  {
    name: 'cancel',
    description: 'Cancel a batch: unsent payouts end cancelled; those already accepted by PesaWay settle. A scheduled batch ends at once, nothing sent.',
    roles: 'the submitter or approver role',
    done: (id, by) => `Batch ${id} cancelling (asked by ${by}): unsent payouts end cancelled; those already accepted settle.`,
  },
  {
    name: 'retry-failed',
    description: 'Pay the failed rows of a batch again, each under its next attempt\'s reference.',
    roles: 'the submitter role',
    done: (id, by) => `Batch ${id}: failed rows are being paid again under new references (asked by ${by}). Follow it with: disburse watch ${id}`,
  },
  {
    name: 'funds-added',
    description: 'Tell a batch awaiting funds that the PesaWay wallet was topped up, so it resumes now.',
    roles: 'the submitter or approver role',
    done: (id, by) => `Batch ${id} told that funds were added (by ${by}): it checks the wallet and resumes the parked payouts.`,
  },
];

export function batchAction(name: string): BatchAction {
  const action = ACTIONS.find((a) => a.name === name);
  if (!action) throw new Error(`no batch action ${name}`);
  return action;
}
