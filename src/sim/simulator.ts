/**
 * The embedded exchange simulator: one loopback server speaking the real REST and WebSocket
 * protocols of every configured venue, routed by the original host as the first path segment,
 * plus the control endpoint under `/_sim/`.
 *
 * @example
 * const sim = await startSimulator({ seed: 7, scenario: 'funding-divergence', timeScale: 960 });
 * // ccxt, redirected: https://fapi.binance.com/fapi/v1/depth → `${sim.url}/fapi.binance.com/fapi/v1/depth`
 * const tops = await sim.control.books('binanceusdm');
 * await sim.stop();
 */
import { rootLogger } from '../base/log.js';
import { Router, startNetServer } from '../base/net/index.js';
import { createControlApi } from './control/api.js';
import { mountControl } from './control/routes.js';
import type { SimControlApi } from './control/types.js';
import { SimCore } from './core.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { Delays, mountVenues } from './venue-routing.js';

export type { SimulatorOptions } from './options.js';

export interface Simulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Which HTTP backend serves it (`uws` or `node`). */
  readonly backend: string;
  /** The account world's id (kept across restarts with `stateFile`), and whether it was restored. */
  readonly worldId: string;
  readonly restored: boolean;
  /** The control API, in-process (the same calls are served over HTTP under `/_sim/`). */
  readonly control: SimControlApi;
  /** Stops the market, closes every connection and the listening socket. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a simulator; resolves once it listens. Invalid options reject with CONFIG_INVALID. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = resolveOptions(options);
  const logger = options.logger ?? rootLogger().child({ component: 'sim' });
  const core = new SimCore({
    seed: config.seed,
    clock: config.clock,
    modules: config.modules,
    credentials: config.credentials,
    scenario: config.scenario,
    scenarioOptions: config.scenarioOptions,
    logger,
    stateFile: config.stateFile,
  });
  const delays = new Delays();
  const router = new Router();
  mountVenues(router, core, delays);
  const server = await startNetServer(router, { host: config.host, port: config.port, portKey: 'simulator.port', backend: config.backend, logger });
  const control = createControlApi(core, { backend: server.backend, timeScale: config.clock.timeScale, tickMs: config.tickMs });
  mountControl(router, control);

  // The market moves on a fixed nominal step, so a run is reproducible per tick under the seed
  // even when the timer fires late.
  const ticker = setInterval(() => {
    try {
      core.tick(config.tickMs);
    } catch (error) {
      // A bug in the model or a scenario must not kill the process the trading system relies on.
      logger.error({ err: error }, 'simulator tick failed');
    }
  }, config.tickMs);
  const pingers = [...core.venues.values()].map(({ spec }) => setInterval(() => core.hub.ping(spec.id), spec.wsPingIntervalMs));
  let stopping: Promise<void> | undefined;
  logger.info({ url: server.url, backend: server.backend, seed: config.seed, scenario: config.scenario, venues: [...core.venues.keys()], worldId: core.worldId, restored: core.restored }, 'simulator listening');
  return {
    url: server.url,
    port: server.port,
    backend: server.backend,
    worldId: core.worldId,
    restored: core.restored,
    control,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(ticker);
        for (const pinger of pingers) clearInterval(pinger);
        delays.cancelAll();
        await server.close();
      })();
      return stopping;
    },
  };
}
