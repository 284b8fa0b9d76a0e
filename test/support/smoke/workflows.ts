import { proxyActivities } from '@temporalio/workflow';
import type { SmokeActivities } from './activities.js';

const { recordGreeting } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10 seconds' });

export async function greetWorkflow(name: string): Promise<string> {
  const id = await recordGreeting(name);
  return `greeting ${id} recorded for ${name}`;
}
