import { createServer } from 'node:net';
import { AppError } from '../common/errors.js';

/** Asks the kernel for a free loopback port. Tests use this so parallel runs never collide. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something already listens on host:port (we cannot bind it). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

export class PortInUseError extends AppError {
  constructor(what: string, port: number, variable: string) {
    super('port_in_use', `${what} cannot start: port ${port} on 127.0.0.1 is already in use.`, {
      hint: `Stop the process using it (\`ss -ltnp 'sport = :${port}'\` shows which) or choose another port with ${variable}.`,
    });
  }
}

export async function assertPortFree(what: string, port: number, variable: string): Promise<void> {
  if (await portInUse(port)) throw new PortInUseError(what, port, variable);
}
