// Worker bootstrap, in plain JavaScript because nothing can load TypeScript yet. On Node 20,
// `--import tsx` in a Worker's execArgv does not apply to the worker's own modules, so every
// worker registers tsx itself and then imports its real (TypeScript) entry module.
// msgpackr's native extractor must be off before msgpackr loads: it is ~26x slower on shared memory.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
register();
await import(workerData.entry);
