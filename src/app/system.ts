/**
 * Starts and stops the whole trading system for one config: in `sim` mode (and in `paper` mode
 * with `paper.venues: "simulator"`, where it stands in for the public venues) the embedded
 * simulator in its own process first (or, with `simulator.url`, an already running one, which it
 * leaves running), then the actor graph under the supervisor, then the ops
 * server. Shutdown runs in reverse: ops, the graph (feeds → strategies → execution, draining
 * between stages), the simulator.
 *
 * Credentials: the process environment (plus, in sim mode, the simulator's own keys) is given
 * to the supervisor for the credentialed execution actor only. `live` refuses to start unless
 * the operator confirmed it and every venue's credentials are present.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OpsBackend } from '../ops/ops-server.js';
import { OpsServer } from '../ops/ops-server.js';
import type { SystemStatus } from '../ops/system-status.js';
import { resolveOpsToken } from '../ops/token.js';
import { arbiterError, isArbiterError } from '../base/errors.js';
import { parseGraphConfig } from '../runtime/graph/graph-config.js';
import type { ReloadResult } from '../runtime/supervision/hot-reload.js';
import { rootLogger, type Logger } from '../base/log.js';
import { Supervisor } from '../runtime/supervision/supervisor.js';
import { DEFAULT_CREDENTIALS, DEFAULT_PASSPHRASE, spawnSimulator } from '../sim/index.js';
import { SimControl } from '../sim/control/client.js';
import { credentialEnvNames } from '../venues/trade/credentials.js';
import { compileGraph, EXECUTION_ID } from './compile.js';
import { usesSimulator, type AppConfig } from './config.js';
import { PROJECT_ROOT, STRATEGY_DIR } from './paths.js';
import { LOCK_FILE, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { checkActorParams, checkSimSymbols, checkVenueSymbols } from './preflight.js';
import { attachSimulator, type SimulatorLink } from './simulator-link.js';
import { moveDataDirAside, openSession, SIM_STATE_FILE, type SessionInfo } from './session.js';
import { buildSystemStatus } from './status-model.js';

/** Accounts whose credentials a venue id uses (binance spot and USDⓈ-M share one account). */
function accountOf(venue: string): string {
  return venue === 'binanceusdm' ? 'binance' : venue;
}

/** The simulator accepts the same keys on every venue; okx also needs a passphrase. */
const SIM_PASSWORD = DEFAULT_CREDENTIALS.passphrase ?? DEFAULT_PASSPHRASE;

function simCredentialEnv(config: AppConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const venue of Object.keys(config.venues)) {
    const names = credentialEnvNames(accountOf(venue));
    env[names.apiKey] = DEFAULT_CREDENTIALS.apiKey;
    env[names.secret] = DEFAULT_CREDENTIALS.secret;
    env[names.password] = SIM_PASSWORD;
  }
  return env;
}

/** Refuses live trading without confirmation or with missing credentials (names only, never values). */
export function checkLiveStart(config: AppConfig, confirmed: boolean, env: NodeJS.ProcessEnv): void {
  if (config.mode !== 'live') return;
  if (!confirmed) {
    throw arbiterError('LIVE_NOT_CONFIRMED', 'mode live places real orders with real money: restart with --i-understand-live-trading to confirm');
  }
  if (config.execution.params.secretsFile !== undefined) return;
  const missing = Object.keys(config.venues).flatMap((venue) => {
    const names = credentialEnvNames(accountOf(venue));
    return [names.apiKey, names.secret].filter((name) => !env[name]);
  });
  if (missing.length > 0) {
    throw arbiterError('SECRETS_MISSING', `mode live needs credentials for every venue: set ${[...new Set(missing)].join(', ')} (or execution.params.secretsFile)`);
  }
}

export interface SystemOptions {
  /** Overrides config.ops.port (0 = any free port). */
  opsPort?: number;
  /** Skip the ops server (tests that do not need it). */
  noOps?: boolean;
  liveConfirmed?: boolean;
  /** Move the data dir aside and start a new journal (and, in sim mode, a new simulator world). */
  fresh?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

export class TradingSystem implements OpsBackend {
  readonly startedAtMs = Date.now();
  ops: OpsServer | undefined;
  /** Where a generated ops token was written (null when it came from config). */
  opsTokenFile: string | null = null;

  private constructor(
    readonly config: AppConfig,
    readonly supervisor: Supervisor,
    readonly sim: SimulatorLink | undefined,
    readonly dataDir: string,
    /** What this run found in the data dir (journal resumed or new, the simulator world). */
    readonly session: SessionInfo,
    private readonly log: Logger,
    private readonly lock: DataDirLock,
  ) {}

  static async start(config: AppConfig, options: SystemOptions = {}): Promise<TradingSystem> {
    const env = options.env ?? process.env;
    const log = options.log ?? rootLogger().child({ component: 'system' });
    checkLiveStart(config, options.liveConfirmed === true, env);
    if (config.mode === 'replay') throw arbiterError('CONFIG_INVALID', 'mode replay runs under the lockstep driver (arbiter run --replay <file>), not as a live system');
    if (config.record && existsSync(resolve(config.record.file))) {
      throw arbiterError('CONFIG_INVALID', `record.file: ${resolve(config.record.file)} already exists; a recording is never overwritten: name a new file`);
    }
    const dataDir = resolve(config.dataDir);
    const compile = (simBaseUrl: string | undefined) => parseGraphConfig(compileGraph(config, { dataDir, liveConfirmed: options.liveConfirmed === true, ...(simBaseUrl ? { simBaseUrl } : {}) }), 'compiled config');
    // Params are checked before anything starts; the simulator's URL is not known yet, any loopback one parses the same.
    await checkActorParams(config, compile(usesSimulator(config) ? (config.simulator.url ?? `http://127.0.0.1:${config.simulator.port}`) : undefined), PROJECT_ROOT);
    // Before anything else touches the data dir (--fresh included) or starts: one run per journal.
    const existed = existsSync(dataDir);
    let lock = lockDataDir(dataDir);
    const stateFile = join(dataDir, SIM_STATE_FILE);
    let sim: SimulatorLink | undefined;
    let supervisor: Supervisor | undefined;
    try {
      const movedAside = options.fresh && existed ? moveDataDirAside(dataDir) : null;
      if (movedAside !== null) {
        // The lock moved aside with the dir: hold the new dir before letting go of the old one.
        const moved = lock;
        lock = lockDataDir(dataDir);
        rmSync(join(movedAside, LOCK_FILE), { force: true });
        moved.release();
      }
      // Only sim mode trades the simulator's accounts, so only there are its world and the journal one (session.ts).
      const trades = config.mode === 'sim';
      if (usesSimulator(config) && config.simulator.url !== undefined) {
        sim = await attachSimulator(config.simulator.url, Object.keys(config.venues));
        log.info({ url: sim.url, worldId: sim.worldId }, 'attached to a running simulator');
      } else if (usesSimulator(config)) {
        const { port, seed, scenario, timeScale, startingBalances, options: extra } = config.simulator;
        sim = await spawnSimulator({ ...extra, port, seed, scenario, timeScale, venues: Object.keys(config.venues), ...(trades ? { stateFile } : {}), ...(startingBalances ? { startingBalances } : {}) } as Parameters<typeof spawnSimulator>[0]);
        log.info({ url: sim.url, scenario, seed, timeScale, worldId: sim.worldId, restored: sim.restored }, 'simulator started');
      }
      if (sim) checkSimSymbols(config, await new SimControl(sim.url).books(), sim.url);
      const keptBy = config.simulator.url === undefined ? stateFile : `the simulator at ${config.simulator.url}`;
      const session = openSession(config, dataDir, sim && trades ? { id: sim.worldId, restored: sim.restored, keptBy } : null, movedAside);
      const graph = compile(sim?.url);
      // Paper never sends an order, so it gets no keys for the simulator either.
      supervisor = await Supervisor.start(graph, { baseDir: PROJECT_ROOT, reloadDirs: [STRATEGY_DIR, ...config.runtime.reloadDirs], env: sim && trades ? { ...env, ...simCredentialEnv(config) } : env, log: log.child({ component: 'supervisor' }) });
      await checkVenueSymbols(config, supervisor);
      const system = new TradingSystem(config, supervisor, sim, dataDir, session, log, lock);
      if (options.noOps) return system;
      const token = resolveOpsToken(config.ops.token, dataDir);
      system.opsTokenFile = token.file;
      system.ops = await OpsServer.start(system, { host: config.ops.host, port: options.opsPort ?? config.ops.port, token: token.token, log: log.child({ component: 'ops' }) });
      return system;
    } catch (error) {
      try {
        await supervisor?.stop();
        await sim?.stop();
        // A refused start leaves the data dir as it found it: not a new world beside the old journal.
        if (sim && !sim.restored && config.simulator.url === undefined && isArbiterError(error, 'SESSION_MISMATCH')) rmSync(stateFile, { force: true });
      } finally {
        lock.release();
      }
      throw error;
    }
  }

  status(): Promise<SystemStatus> {
    return buildSystemStatus(this.supervisor, this.config.mode, this.startedAtMs);
  }

  halt(reason: string): Promise<unknown> {
    this.log.warn({ reason }, 'halt requested');
    return this.supervisor.command(EXECUTION_ID, 'halt', { reason });
  }

  resume(reason: string): Promise<unknown> {
    this.log.warn({ reason }, 'resume requested');
    return this.supervisor.command(EXECUTION_ID, 'resume', { reason });
  }

  reload(actorId: string, modulePath: string | undefined): Promise<ReloadResult> {
    return this.supervisor.reload(actorId, modulePath === undefined ? {} : { modulePath: resolve(PROJECT_ROOT, modulePath) });
  }

  hasActor(actorId: string): boolean {
    return this.supervisor.actors.has(actorId);
  }

  async stop(): Promise<void> {
    try {
      await this.ops?.close();
      await this.supervisor.stop();
      await this.sim?.stop();
    } finally {
      this.lock.release();
    }
  }
}
