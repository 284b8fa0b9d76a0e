import { proxyActivities, sleep } from '@temporalio/workflow';
import type { SmokeActivities } from './activities.js';

const { recordGreeting } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10 seconds' });

/** The same workflow with a timer added before the activity: replaying old histories must fail. */
export async function greetWorkflow(name: string): Promise<string> {
  await sleep(1);
  const id = await recordGreeting(name);
  return `greeting ${id} recorded for ${name}`;
}
