/**
 * HTTP + WebSocket server on loopback with a uWebSockets.js backend and a node:http + ws
 * fallback. Used by the simulator and the ops server.
 *
 * @example
 * const router = new Router()
 *   .get('/health', () => ({ status: 200, body: 'ok' }))
 *   .ws('/ws', { message: (connection, text) => connection.send(text) });
 * const server = await startNetServer(router, { port: 0 });
 * console.log(server.url, server.backend);
 * await server.close();
 */
import { rootLogger } from '../log.js';
import { chooseBackend } from './backend.js';
import { startNodeServer } from './node-server.js';
import type { Router } from './router.js';
import type { NetServer, NetServerOptions } from './types.js';
import { startUwsServer } from './uws-server.js';

export { Router } from './router.js';
export { chooseBackend } from './backend.js';
export { announcesBody } from './router.js';
export type * from './types.js';

/** Starts listening (default 127.0.0.1, port 0) with the chosen backend. */
export async function startNetServer(router: Router, options: NetServerOptions = {}): Promise<NetServer> {
  const logger = options.logger ?? rootLogger().child({ component: 'net' });
  const choice = await chooseBackend(options.backend);
  if (choice.name === 'uws') return startUwsServer(choice.uws, router, options, logger);
  logger.debug({ reason: choice.reason }, 'using the node:http backend');
  return startNodeServer(router, options, logger);
}
