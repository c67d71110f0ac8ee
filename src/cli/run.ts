/**
 * `arbiter run`: starts an actor graph under the supervisor, shows its status, and shuts down
 * gracefully on SIGINT/SIGTERM or after `--duration`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arbiterError } from '../runtime/errors.js';
import { parseGraphConfig } from '../runtime/graph-config.js';
import { rootLogger } from '../runtime/log.js';
import { watchReloadableModules } from '../runtime/module-watcher.js';
import { Supervisor } from '../runtime/supervisor.js';
import { numberOption, parseCommandArgs } from './args.js';
import { renderStatus } from './status-view.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_GRAPH = resolve(PROJECT_ROOT, 'config/demo.graph.json');

const HELP = `usage: arbiter run [--graph <file>] [--duration <seconds>] [--status-interval <seconds>] [--watch]

  --graph <file>         an actor graph (JSON: actors + channels); module paths are relative to the project
  --duration <seconds>   stop gracefully after this long (default: run until SIGINT/SIGTERM)
  --status-interval <s>  how often to show status (default 2)
  --watch                hot-reload a strategy when its module file changes (old version kept on failure)

Without --graph this runs the runtime demo (config/demo.graph.json): a synthetic feed and a spread
watcher on shared-memory rings. The trading system against the embedded simulator is not wired yet.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('run', argv, {
    graph: { type: 'string' },
    duration: { type: 'string' },
    'status-interval': { type: 'string' },
    watch: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const durationS = numberOption('duration', values.duration, 0.1, 365 * 86_400);
  const intervalS = numberOption('status-interval', values['status-interval'], 0.2, 3600) ?? 2;
  const graphPath = values.graph ? resolve(values.graph) : DEMO_GRAPH;
  if (!values.graph) console.log('arbiter: running the runtime demo graph (synthetic feed → spread watcher); the trading system is not wired yet');
  const raw = await readGraphFile(graphPath);
  const graph = parseGraphConfig(raw, graphPath);
  const log = rootLogger().child({ component: 'run' });
  const supervisor = await Supervisor.start(graph, { baseDir: PROJECT_ROOT });
  log.info({ actors: graph.actors.map((a) => a.id) }, 'started');
  const watcher = values.watch ? watchReloadableModules(supervisor) : undefined;

  const interactive = process.stdout.isTTY === true;
  const show = async (): Promise<void> => {
    const status = await supervisor.status();
    if (interactive) process.stdout.write(`\x1b[2J\x1b[H${renderStatus(status)}\n`);
    else log.info({ actors: status.map((s) => ({ id: s.actorId, state: s.state, restarts: s.restarts, in: s.actor?.messagesIn, out: s.actor?.messagesOut, errors: s.actor?.errors, custom: s.actor?.custom })) }, 'status');
  };
  const timer = setInterval(() => void show(), intervalS * 1000);
  const stopped = new Promise<string>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    if (durationS !== undefined) setTimeout(() => resolveStop('duration'), durationS * 1000).unref();
    void supervisor.events.waitFor('system-fatal').then((event) => resolveStop(`fatal: ${event.reason}`));
  });
  const reason = await stopped;
  clearInterval(timer);
  watcher?.close();
  log.info({ reason }, 'shutting down');
  const final = await supervisor.status();
  await supervisor.stop();
  console.log(renderStatus(final));
  return reason.startsWith('fatal') ? 1 : 0;
}

async function readGraphFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `cannot read graph file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}
