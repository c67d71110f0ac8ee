import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { ExecutionUnderTest, executionParams, startTestSimulator, tempDir } from './helpers.js';

let sim: Simulator;
const tmp = tempDir();
beforeAll(async () => { sim = await startTestSimulator(); });
afterAll(async () => { await sim.stop(); tmp.remove(); });

it('smoke', async () => {
  const exec = await ExecutionUnderTest.start(sim, executionParams(sim.url, tmp.dir));
  await exec.reconciled();
  exec.submit({ intentSeq: 1 });
  const filled = await exec.waitFor('Filled');
  console.log(filled, exec.events.map((e) => e.type));
  console.log(JSON.stringify(exec.status(), null, 1).slice(0, 3000));
  await exec.stop();
  expect(filled.cumQty).toBe(0.01);
});
