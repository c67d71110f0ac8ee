/**
 * Mounts every venue protocol on the router, under its original hosts: a venue route
 * `{ host: 'fapi.binance.com', path: '/fapi/v1/depth' }` serves `/fapi.binance.com/fapi/v1/depth`.
 *
 * HTTP faults and added latency are applied here, once for every venue: the fault injector
 * is asked before the route runs (or after, for `afterExecution` faults, which lose the answer
 * of a request that did execute), and the venue formats the error the way it really does.
 */
import type { NetRequest, NetResponse, Router, WsConnection } from '../base/net/index.js';
import type { SimCore } from './core.js';
import type { HttpErrorFault } from './faults.js';
import type { SimSocket } from './streams.js';
import type { VenueProtocol, VenueRequest, VenueRoute, VenueWsEndpoint } from './venue.js';

/** Delays that `stop()` can cancel, so no timer outlives the simulator. */
export class Delays {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function faultResponse(protocol: VenueProtocol, fault: HttpErrorFault): NetResponse {
  if (fault.status === 429 || fault.status === 418) {
    const response = protocol.errorResponse({ kind: 'rate-limited', retryAfterSec: fault.retryAfterSec ?? 1 });
    return { ...response, status: fault.status };
  }
  return protocol.errorResponse({ kind: 'server-error', status: fault.status });
}

async function serve(core: SimCore, delays: Delays, venueId: string, protocol: VenueProtocol, route: VenueRoute, request: NetRequest): Promise<NetResponse> {
  const venuePath = request.path.slice(route.host.length + 1);
  if (venuePath !== route.path) return protocol.errorResponse({ kind: 'not-found', path: venuePath });
  const latency = core.faults.latencyMs(venueId);
  if (latency > 0) await delays.wait(latency);
  const fault = core.faults.takeHttpError(venueId, venuePath);
  if (fault && !fault.afterExecution) return faultResponse(protocol, fault);
  const venueRequest: VenueRequest = { ...request, host: route.host, venuePath, params: new URLSearchParams(request.query) };
  const response = await route.handler(venueRequest);
  return fault ? faultResponse(protocol, fault) : response;
}

function mountWebSocket(router: Router, core: SimCore, venueId: string, endpoint: VenueWsEndpoint): void {
  const sockets = new WeakMap<WsConnection, SimSocket>();
  router.ws(`/${endpoint.host}${endpoint.path}`, {
    open: (connection) => {
      const socket = core.hub.add(venueId, endpoint.host, connection.path.slice(endpoint.host.length + 1), connection);
      sockets.set(connection, socket);
      endpoint.open(socket, connection.query);
    },
    message: (connection, text) => {
      const socket = sockets.get(connection);
      if (socket) endpoint.message(socket, text);
    },
    close: (connection) => {
      const socket = sockets.get(connection);
      if (!socket) return;
      core.hub.remove(socket);
      endpoint.close?.(socket);
    },
  });
}

export function mountVenues(router: Router, core: SimCore, delays: Delays): void {
  for (const [venueId, { spec, protocol }] of core.venues) {
    for (const route of protocol.routes) {
      router.route(route.method, `/${route.host}${route.path}`, (request) => serve(core, delays, venueId, protocol, route, request));
    }
    for (const host of spec.hosts) {
      router.any(`/${host}`, (request) => protocol.errorResponse({ kind: 'not-found', path: request.path.slice(host.length + 1) }));
    }
    for (const endpoint of protocol.websockets) mountWebSocket(router, core, venueId, endpoint);
  }
}
