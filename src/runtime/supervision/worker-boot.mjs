// Worker bootstrap, in plain JavaScript because nothing can load TypeScript yet. On Node 20,
// `--import tsx` in a Worker's execArgv does not apply to the worker's own modules, so every
// worker registers tsx itself and then imports its real (TypeScript) entry module.
// msgpackr's native extractor must be off before msgpackr loads: it is ~26x slower on shared memory.
import { workerData } from 'node:worker_threads';
import nodeModule from 'node:module';
import { register } from 'tsx/esm/api';
import { loadSync } from './plain-esm-hooks.mjs';

process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
register();
// Plain-ESM packages (ccxt) skip tsx: see plain-esm-hooks.mjs. Where tsx registers in-thread
// synchronous hooks (module.registerHooks, Node >= 22.22.3 / 24.11.1), those run before every
// module.register() hook, so ours must be synchronous as well to run first (last registered).
if (typeof nodeModule.registerHooks === 'function') nodeModule.registerHooks({ load: loadSync });
else nodeModule.register(new URL('./plain-esm-hooks.mjs', import.meta.url));
await import(workerData.entry);
