// Worker bootstrap, in plain JavaScript because nothing can load TypeScript yet. On Node 20,
// `--import tsx` in a Worker's execArgv does not apply to the worker's own modules, so every
// worker registers tsx itself and then imports its real (TypeScript) entry module.
// msgpackr's native extractor must be off before msgpackr loads: it is ~26x slower on shared memory.
import { workerData } from 'node:worker_threads';
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
register();
// Plain-ESM packages (ccxt) skip tsx: see plain-esm-hooks.mjs.
registerHooks(new URL('./plain-esm-hooks.mjs', import.meta.url));
await import(workerData.entry);
