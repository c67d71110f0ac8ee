/**
 * `arbiter run --graph <file>`: runs a raw actor graph under the supervisor (runtime demos,
 * benchmarks of custom actors), with the actor table as status.
 */
import { readFile } from 'node:fs/promises';
import { PROJECT_ROOT } from '../app/paths.js';
import { arbiterError } from '../base/errors.js';
import { parseGraphConfig } from '../runtime/graph/graph-config.js';
import { rootLogger } from '../base/log.js';
import { watchReloadableModules } from '../runtime/supervision/module-watcher.js';
import { Supervisor } from '../runtime/supervision/supervisor.js';
import { renderStatus } from './status-view.js';
import { untilStop } from './until-stop.js';

export async function runGraph(path: string, options: { durationS: number | undefined; intervalS: number; watch: boolean }): Promise<number> {
  const graph = parseGraphConfig(await readJson(path), path);
  const log = rootLogger().child({ component: 'run' });
  const supervisor = await Supervisor.start(graph, { baseDir: PROJECT_ROOT });
  log.info({ actors: graph.actors.map((a) => a.id) }, 'started');
  const watcher = options.watch ? watchReloadableModules(supervisor) : undefined;
  const interactive = process.stdout.isTTY === true;
  const show = async (): Promise<void> => {
    const status = await supervisor.status();
    if (interactive) process.stdout.write(`\x1b[2J\x1b[H${renderStatus(status)}\n`);
    else log.info({ actors: status.map((s) => ({ id: s.actorId, state: s.state, restarts: s.restarts, in: s.actor?.messagesIn, out: s.actor?.messagesOut, errors: s.actor?.errors, custom: s.actor?.custom })) }, 'status');
  };
  const timer = setInterval(() => void show(), options.intervalS * 1000);
  const reason = await untilStop(supervisor, options.durationS);
  clearInterval(timer);
  watcher?.close();
  log.info({ reason }, 'shutting down');
  const final = await supervisor.status();
  await supervisor.stop();
  console.log(renderStatus(final));
  return reason.startsWith('fatal') ? 1 : 0;
}

async function readJson(path: string): Promise<unknown> {
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
