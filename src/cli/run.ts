/**
 * `arbiter run`: the main job. Starts the trading system for a config (default: the embedded
 * simulator in `sim` mode), shows a live status (a redrawn view on a terminal, structured log
 * lines otherwise), and shuts down gracefully on SIGINT/SIGTERM, after `--duration`, or when
 * the execution actor fails for good; then prints the summary.
 * `--graph` runs a raw actor graph instead (runtime demos and experiments).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadAppConfig, MODES, parseAppConfig, type AppConfig } from '../app/config.js';
import { renderLiveView } from '../app/live-view.js';
import { DEFAULT_CONFIG } from '../app/paths.js';
import { runReplay } from '../app/replay.js';
import { renderReplayReport, renderSummary, summarize } from '../app/summary.js';
import { describeSession } from '../app/session.js';
import { TradingSystem } from '../app/system.js';
import { arbiterError } from '../base/errors.js';
import { journalDurability } from '../execution/params.js';
import { rootLogger } from '../base/log.js';
import { watchReloadableModules } from '../runtime/supervision/module-watcher.js';
import { numberOption, parseCommandArgs } from './args.js';
import { untilStop } from './until-stop.js';
import { runGraph } from './run-graph.js';

const HELP = `usage: arbiter run [options]

  --config <file>              trading config (default config/default.json: sim mode, embedded simulator)
  --mode <sim|paper|live|replay>  override the config's mode
  --duration <seconds>         stop gracefully after this long and print the summary
  --summary-json <file>        also write the summary as JSON
  --ops-port <port>            ops HTTP port (default from config, 9464; 0 = any free port)
  --data-dir <dir>             where the journal, the simulator's state and the ops token live (default from config: data)
  --fresh                      move the data dir aside (to <dir>.<timestamp>) and start a new journal and simulator world
  --status-interval <seconds>  how often the status refreshes (default 2)
  --record <file>              record every market-data message to a new file (for --replay)
  --replay <file>              replay mode: play a recording through the strategies and execution
                               (local fills, virtual time, as fast as possible; same input, same result)
  --watch                      hot-reload a strategy when its module file changes
  --i-understand-live-trading  required for --mode live: real orders, real money
  --graph <file>               run a raw actor graph (JSON actors + channels) instead of a trading config`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('run', argv, {
    config: { type: 'string' },
    mode: { type: 'string' },
    duration: { type: 'string' },
    'summary-json': { type: 'string' },
    'ops-port': { type: 'string' },
    'data-dir': { type: 'string' },
    'status-interval': { type: 'string' },
    watch: { type: 'boolean' },
    record: { type: 'string' },
    replay: { type: 'string' },
    'i-understand-live-trading': { type: 'boolean' },
    fresh: { type: 'boolean' },
    graph: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const durationS = numberOption('duration', values.duration, 0.1, 365 * 86_400);
  const intervalS = numberOption('status-interval', values['status-interval'], 0.2, 3600) ?? 2;
  if (values.graph) return runGraph(resolve(values.graph), { durationS, intervalS, watch: values.watch === true });
  const opsPort = numberOption('ops-port', values['ops-port'], 0, 65535);
  const config = await configWithOverrides(values.config ? resolve(values.config) : DEFAULT_CONFIG, {
    mode: values.replay === undefined ? values.mode : 'replay',
    dataDir: values['data-dir'],
    record: values.record,
    replay: values.replay,
  });
  if (config.mode === 'replay') {
    if (durationS !== undefined || values.watch) throw arbiterError('CONFIG_INVALID', 'replay runs to the end of its recording: --duration and --watch do not apply');
    return replayCommand(config, values['summary-json']);
  }
  const system = await TradingSystem.start(config, { ...(opsPort === undefined ? {} : { opsPort }), liveConfirmed: values['i-understand-live-trading'] === true, fresh: values.fresh === true });
  return supervise(system, { durationS, intervalS, watch: values.watch === true, summaryJson: values['summary-json'] });
}

interface Overrides {
  mode: string | undefined;
  dataDir: string | undefined;
  record: string | undefined;
  replay: string | undefined;
}

async function configWithOverrides(path: string, overrides: Overrides): Promise<AppConfig> {
  const config = await loadAppConfig(path);
  const { mode, dataDir, record, replay } = overrides;
  if (Object.values(overrides).every((value) => value === undefined)) return config;
  if (mode !== undefined && !(MODES as readonly string[]).includes(mode)) throw arbiterError('CONFIG_INVALID', `--mode must be one of ${MODES.join('|')}, got ${JSON.stringify(mode)}`);
  return parseAppConfig(
    {
      ...config,
      ...(mode === undefined ? {} : { mode }),
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(record === undefined ? {} : { record: { file: record } }),
      ...(replay === undefined ? {} : { replay: { ...config.replay, file: replay } }),
    },
    `${path} with command-line overrides`,
  );
}

async function replayCommand(config: AppConfig, summaryJson: string | undefined): Promise<number> {
  const { status, report } = await runReplay(config, rootLogger().child({ component: 'replay' }));
  const summary = { ...summarize(status), durationS: report.spanS, replay: report };
  console.log(renderSummary(summary));
  console.log(renderReplayReport(report));
  if (summaryJson) await writeFile(resolve(summaryJson), `${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

interface SuperviseOptions {
  durationS: number | undefined;
  intervalS: number;
  watch: boolean;
  summaryJson: string | undefined;
}

async function supervise(system: TradingSystem, options: SuperviseOptions): Promise<number> {
  const log = rootLogger().child({ component: 'run' });
  const interactive = process.stdout.isTTY === true;
  const opsUrl = system.ops?.url;
  const durability = journalDurability(system.config.mode, system.config.execution.journal.durability);
  console.log(`arbiter: ${system.config.mode} mode${system.sim ? `, simulator at ${system.sim.url}` : ''}; journal durability ${durability}; ops at ${opsUrl ?? '(off)'}${system.opsTokenFile ? ` (bearer token in ${system.opsTokenFile})` : ''}`);
  console.log(`arbiter: ${describeSession(system.session)}`);
  const watcher = options.watch ? watchReloadableModules(system.supervisor) : undefined;
  const show = async (): Promise<void> => {
    const status = await system.status();
    if (interactive) process.stdout.write(`\x1b[2J\x1b[H${renderLiveView(status, opsUrl)}\n`);
    else log.info({ status: summarize(status) }, 'status');
  };
  const timer = setInterval(() => void show().catch((error: unknown) => log.warn({ error: String(error) }, 'status failed')), options.intervalS * 1000);
  const reason = await untilStop(system.supervisor, options.durationS);
  clearInterval(timer);
  watcher?.close();
  log.info({ reason }, 'shutting down');
  const summary = summarize(await system.status(), system.session.journal);
  await system.stop();
  console.log(renderSummary(summary));
  if (options.summaryJson) await writeFile(resolve(options.summaryJson), `${JSON.stringify(summary, null, 2)}\n`);
  return reason.startsWith('fatal') ? 1 : 0;
}
