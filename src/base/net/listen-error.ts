/**
 * Why a server could not listen, as an error an operator can act on: a port another process
 * holds is PORT_IN_USE naming the address and the config key that chose it.
 */
import { createServer } from 'node:net';
import { arbiterError } from '../errors.js';
import type { NetServerOptions } from './types.js';

/** The error for a failed listen; EADDRINUSE becomes PORT_IN_USE, anything else is returned as it was. */
export function listenFailure(error: NodeJS.ErrnoException, host: string, options: NetServerOptions): Error {
  if (error.code !== 'EADDRINUSE') return error;
  const port = options.port ?? 0;
  const key = options.portKey ?? 'port';
  return arbiterError('PORT_IN_USE', `${key}: ${host}:${port} is already in use by another process (another Arbiter, simulator or server); stop it or set ${key} to a free port (0 = any free port), got ${port}`, { cause: error });
}

/** Binds `host:port` once and lets it go: the bind error, or null when the address is free. */
export function probeListen(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
