// Module loader hook for actor workers, registered after tsx so that it runs first. Files of the
// packages listed here are plain ESM that needs no transform, so they are loaded as they are.
// tsx would otherwise pass each one through its own hooks thread (one per worker), rewrite it
// and keep it with an inline source map: for a worker importing one ccxt exchange that costs
// ~60-90 MB of RSS on top of the ~30 MB the module itself needs (bench/feed-memory.ts).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const PLAIN_ESM_DIRS = ['/node_modules/ccxt/js/'];
const isPlainEsm = (url) => url.startsWith('file:') && url.endsWith('.js') && PLAIN_ESM_DIRS.some((dir) => url.includes(dir));

/** For module.register() (off-thread, asynchronous). */
export async function load(url, context, nextLoad) {
  if (isPlainEsm(url)) return { format: 'module', source: await readFile(new URL(url), 'utf8'), shortCircuit: true };
  return nextLoad(url, context);
}

/** The same hook for module.registerHooks() (in-thread, synchronous). */
export function loadSync(url, context, nextLoad) {
  if (isPlainEsm(url)) return { format: 'module', source: readFileSync(new URL(url), 'utf8'), shortCircuit: true };
  return nextLoad(url, context);
}
