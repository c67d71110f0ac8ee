import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGraphConfig, type GraphConfigInput } from '../../src/runtime/graph/graph-config.js';
import { watchReloadableModules } from '../../src/runtime/supervision/module-watcher.js';
import { Supervisor, type SupervisorOptions } from '../../src/runtime/supervision/supervisor.js';
import { eventually } from '../helpers/workers.js';

const FIXTURES = resolve('test/fixtures/actors');
const TMP = resolve('test/.tmp');
let supervisor: Supervisor | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) cleanups.pop()!();
  await supervisor?.stop();
  supervisor = undefined;
});

interface Counted {
  count: number;
  lastSeq: number;
  gaps: number;
  repeats: number;
  badBodies: number;
}

async function start(
  producer: { count: number; burst: number },
  counterModule = `${FIXTURES}/probe-counter.ts`,
  extra: Partial<GraphConfigInput> = {},
  options: SupervisorOptions = {},
): Promise<Supervisor> {
  supervisor = await Supervisor.start(
    parseGraphConfig({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { ...producer, intervalMs: 1 } },
        { id: 'counter', module: counterModule, reloadable: true },
      ],
      channels: [{ from: 'producer.out', to: ['counter.in'], capacityBytes: 1 << 16 }],
      ...extra,
    }),
    options,
  );
  return supervisor;
}

async function counted(sup: Supervisor): Promise<Counted & Record<string, unknown>> {
  return (await sup.actorStatus('counter')).actor?.custom as Counted & Record<string, unknown>;
}

async function untilCount(sup: Supervisor, count: number): Promise<Counted & Record<string, unknown>> {
  return eventually(async () => {
    const status = await counted(sup);
    return status && status.count >= count ? status : undefined;
  }, `the counter to reach ${count}`);
}

async function untilSome(sup: Supervisor): Promise<void> {
  await eventually(async () => ((await counted(sup))?.count > 0 ? true : undefined), 'the first messages');
}

let tmpDirs = 0;
function tmpDir(): string {
  const dir = join(TMP, `reload-${process.pid}-${Date.now()}-${tmpDirs++}`);
  mkdirSync(dir, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('hot reload', () => {
  it('reloads a counting strategy many times under a steady stream without losing or repeating a message', async () => {
    const total = 60_000;
    const sup = await start({ count: total, burst: 20 });
    await untilSome(sup);
    const pausesUs: number[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await sup.reload('counter', { graceMs: 30 });
      if (!result.ok) throw new Error(`reload ${i} failed: ${result.error}`);
      pausesUs.push(result.pauseUs);
    }
    const final = await untilCount(sup, total);
    expect(final).toMatchObject({ count: total, lastSeq: total, gaps: 0, repeats: 0, badBodies: 0 });
    expect((await sup.actorStatus('counter')).reloads).toMatchObject({ succeeded: 8, rolledBack: 0 });
    expect(pausesUs.every((us) => us > 0)).toBe(true);
    expect(sup.events.history.filter((e) => e.type === 'reload-succeeded')).toHaveLength(8);
  });

  it('migrates a changed state shape through restore(snapshot, fromVersion)', async () => {
    const total = 20_000;
    const sup = await start({ count: total, burst: 20 });
    await untilSome(sup);
    const result = await sup.reload('counter', { modulePath: `${FIXTURES}/probe-counter-v2.ts`, graceMs: 30 });
    expect(result).toMatchObject({ ok: true, fromVersion: '1', toVersion: '2' });
    const final = await untilCount(sup, total);
    expect(final).toMatchObject({ count: total, lastSeq: total, gaps: 0, repeats: 0, shape: 'v2', migratedFrom: '1' });
    expect((await sup.actorStatus('counter')).actor?.version).toBe('2');
  });

  it('reloads back to the original module after a version with another state shape (its downgrade restores it)', async () => {
    const total = 20_000;
    const sup = await start({ count: total, burst: 20 });
    await untilSome(sup);
    expect(await sup.reload('counter', { modulePath: `${FIXTURES}/probe-counter-v2.ts`, graceMs: 30 })).toMatchObject({ ok: true, fromVersion: '1', toVersion: '2' });
    const back = await sup.reload('counter', { modulePath: `${FIXTURES}/probe-counter.ts`, graceMs: 30 });
    expect(back).toMatchObject({ ok: true, fromVersion: '2', toVersion: '1' });
    const final = await untilCount(sup, total);
    expect(final).toMatchObject({ count: total, lastSeq: total, gaps: 0, repeats: 0, badBodies: 0 });
    expect(final.shape).toBeUndefined();
    expect((await sup.actorStatus('counter')).reloads).toMatchObject({ succeeded: 2, rolledBack: 0 });
  });

  describe('only loads modules from the reload directories, checked before anything is imported', () => {
    function evilModule(dir: string, marker: string): string {
      const file = join(dir, 'evil.ts');
      writeFileSync(file, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`);
      return file;
    }

    it.each([
      ['a path outside', (_allowed: string, evil: string) => evil],
      ['a .. escape', (allowed: string, evil: string) => join(allowed, '..', basename(dirname(evil)), 'evil.ts')],
      ['a symlink inside pointing outside', (allowed: string, evil: string) => {
        const link = join(allowed, 'link.ts');
        symlinkSync(evil, link);
        return link;
      }],
    ])('refuses %s without evaluating it', async (_name, pathTo) => {
      const allowed = tmpDir();
      const outside = tmpDir();
      const marker = join(outside, 'marker');
      const modulePath = pathTo(allowed, evilModule(outside, marker));
      const sup = await start({ count: 100, burst: 10 }, undefined, {}, { reloadDirs: [FIXTURES, allowed] });
      const result = await sup.reload('counter', { modulePath });
      expect(result).toMatchObject({ ok: false, stage: 'refused' });
      expect(result.ok ? '' : result.error).toMatch(/is outside the reload directories/);
      expect(existsSync(marker)).toBe(false);
      expect((await sup.actorStatus('counter')).reloads.refused).toBe(1);
    });

    it('refuses a module that does not exist, and a reload directory that does not exist at start', async () => {
      const sup = await start({ count: 100, burst: 10 });
      const result = await sup.reload('counter', { modulePath: `${FIXTURES}/no-such-module.ts` });
      expect(result).toMatchObject({ ok: false, stage: 'refused', error: expect.stringMatching(/does not exist/) });
      await sup.stop();
      supervisor = undefined;
      await expect(start({ count: 1, burst: 1 }, undefined, {}, { reloadDirs: ['test/no-such-dir'] })).rejects.toThrow(/reload directory "test\/no-such-dir" does not exist/);
    });
  });

  it('rolls back a version that does not compile: the old code keeps running and the error is reported', async () => {
    const dir = tmpDir();
    const sup = await start({ count: 20_000, burst: 20 }, undefined, {}, { reloadDirs: [FIXTURES, dir] });
    await untilSome(sup);
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, "import { defineActor } from '../../../src/runtime/actor.js';\nexport default defineActor({ kind: 'strategy', version: 'x', init: () => ({ ;\n");
    const result = await sup.reload('counter', { modulePath: broken });
    expect(result).toMatchObject({ ok: false, stage: 'load' });
    expect(result.ok ? '' : result.error).toMatch(/ACTOR_MODULE: actor counter: cannot load .*broken\.ts/);
    const final = await untilCount(sup, 20_000);
    expect(final).toMatchObject({ count: 20_000, gaps: 0, repeats: 0 });
    const status = await sup.actorStatus('counter');
    expect(status.actor?.version).toBe('1');
    expect(status.reloads).toMatchObject({ succeeded: 0, rolledBack: 1 });
    expect(sup.events.history).toContainEqual(expect.objectContaining({ type: 'reload-rolled-back', actorId: 'counter', stage: 'load' }));
  });

  it('rolls back a version whose restore() throws, resuming the old one exactly where it paused', async () => {
    const total = 20_000;
    const sup = await start({ count: total, burst: 20 });
    await untilSome(sup);
    const result = await sup.reload('counter', { modulePath: `${FIXTURES}/probe-counter-bad-restore.ts` });
    expect(result).toMatchObject({ ok: false, stage: 'restore' });
    expect(result.ok ? '' : result.error).toMatch(/restore refuses this snapshot/);
    const final = await untilCount(sup, total);
    expect(final).toMatchObject({ count: total, lastSeq: total, gaps: 0, repeats: 0 });
    expect((await sup.actorStatus('counter')).actor?.version).toBe('1');
  });

  it('rolls back a version that crashes right after the swap; the old version resumes at the rings', async () => {
    const total = 20_000;
    const sup = await start({ count: total, burst: 20 });
    await untilSome(sup);
    const result = await sup.reload('counter', { modulePath: `${FIXTURES}/probe-counter-dies.ts`, graceMs: 5_000 });
    expect(result).toMatchObject({ ok: false, stage: 'grace' });
    expect(result.ok ? '' : result.error).toMatch(/code 9/);
    // The new version died inside its first message, before committing it: the old one sees it.
    const final = await untilCount(sup, total);
    expect(final).toMatchObject({ count: total, lastSeq: total, gaps: 0, repeats: 0 });
    const status = await sup.actorStatus('counter');
    expect(status).toMatchObject({ state: 'running', restarts: 0 });
    expect(status.actor?.version).toBe('1');
  });

  it('refuses to reload an actor its graph entry does not mark reloadable, with the reason', async () => {
    const sup = await start({ count: 100, burst: 100 });
    const result = await sup.reload('producer');
    expect(result).toEqual({ ok: false, actorId: 'producer', stage: 'refused', error: 'actor producer is not reloadable (its graph entry does not set reloadable)' });
    expect((await sup.actorStatus('producer')).reloads.refused).toBe(1);
  });

  it('--watch: editing the strategy file reloads it', async () => {
    const dir = tmpDir();
    const module = join(dir, 'counter.ts');
    writeFileSync(module, readFileSync(`${FIXTURES}/probe-counter.ts`, 'utf8'));
    const sup = await start({ count: 1_000_000, burst: 5 }, module);
    await untilSome(sup);
    const watcher = watchReloadableModules(sup, { debounceMs: 50, graceMs: 30 });
    cleanups.push(() => watcher.close());
    writeFileSync(module, readFileSync(module, 'utf8').replace("version: '1'", "version: '1-edited'"));
    const reloaded = await sup.events.waitFor('reload-succeeded', (e) => e.actorId === 'counter');
    expect(reloaded).toMatchObject({ fromVersion: '1', toVersion: '1-edited' });
    const status = await counted(sup);
    expect(status).toMatchObject({ gaps: 0, repeats: 0 });
  });
});
