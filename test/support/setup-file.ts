// Runs in every test process before its test file: keep the Temporal SDK's own logs to errors.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
