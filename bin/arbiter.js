#!/usr/bin/env node
// Entry point. TypeScript runs directly through tsx (no build step), so actor modules,
// including hot-reloaded ones, are loaded from source. msgpackr's native string extractor is
// disabled before msgpackr loads anywhere: it is ~26x slower when decoding from shared memory.
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
