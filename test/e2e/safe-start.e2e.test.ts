/**
 * Issue 14, "Refuse the unsafe start": a second run on a data dir that is in use, a port another
 * process holds, params a module refuses and a symbol the venue does not list each fail the start
 * with an error naming the culprit, and a refused start leaves no lock behind.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { parseAppConfig, type AppConfigInput } from '../../src/app/config.js';
import { LOCK_FILE } from '../../src/app/data-dir-lock.js';
import { TradingSystem } from '../../src/app/system.js';
import { startSimulator } from '../../src/sim/simulator.js';

const dir = mkdtempSync(join(tmpdir(), 'arbiter-safe-start-'));
const sim = await startSimulator({ seed: 7, venues: ['binanceusdm'], symbols: ['BTC/USDT'], logger: pino({ enabled: false }) });
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'safe-start-token-0123456789';

function config(name: string, overrides: Partial<AppConfigInput> = {}) {
  return parseAppConfig({ mode: 'sim', dataDir: join(dir, name), simulator: { url: sim.url }, venues: { binanceusdm: { symbols: ['BTC/USDT:USDT'] } }, ops: { port: 0, token: TOKEN }, ...overrides }, `${name} config`);
}

it('refuses a second run on the data dir, a taken port, bad params and an unlisted symbol, each before it trades', async () => {
  const first = await TradingSystem.start(config('first'));
  try {
    expect(existsSync(join(dir, 'first', LOCK_FILE))).toBe(true);
    // Its own simulator on the attached one's port: the lock refuses it before that simulator is started.
    await expect(TradingSystem.start(config('first', { simulator: { port: sim.port } }))).rejects.toThrow(new RegExp(`DATA_DIR_LOCKED: dataDir: .*first is in use by this process \\(PID ${process.pid}`));

    // Exclusive listening: the simulator's port and the ops port.
    await expect(TradingSystem.start(config('sim-port', { simulator: { port: sim.port } }))).rejects.toThrow(new RegExp(`PORT_IN_USE: simulator\\.port: 127\\.0\\.0\\.1:${sim.port} is already in use`));
    expect(existsSync(join(dir, 'sim-port', LOCK_FILE))).toBe(false);
    const opsPort = Number(new URL(first.ops!.url).port);
    await expect(TradingSystem.start(config('ops-port', { ops: { port: opsPort, token: TOKEN } }))).rejects.toThrow(new RegExp(`PORT_IN_USE: ops\\.port: 127\\.0\\.0\\.1:${opsPort} is already in use`));
    expect(existsSync(join(dir, 'ops-port', LOCK_FILE))).toBe(false);

    // Params are checked before the simulator would start (its port is taken: that would be the error otherwise).
    const badParams = config('bad-params', { simulator: { port: sim.port }, strategies: [{ id: 'spread', module: 'actors/strategy/spot-spread.ts', params: { minSpreadBps: 'wide' } }] });
    await expect(TradingSystem.start(badParams)).rejects.toThrow(/CONFIG_INVALID: pre-flight: .*strategies\[0\]\.params \(actor spread, .*minSpreadBps/s);
    expect(existsSync(join(dir, 'bad-params'))).toBe(false);

    // A symbol the simulator does not list: refused before any worker starts (it would never trade).
    await expect(TradingSystem.start(config('unlisted', { venues: { binanceusdm: { symbols: ['BTC/USDT:USDT', 'DOGE/USDT:USDT'] } } }))).rejects.toThrow(
      /venues\.binanceusdm\.symbols\[1\]: the simulator at \S+ lists no DOGE\/USDT:USDT on binanceusdm \(it lists BTC\/USDT:USDT\)/,
    );
    expect(existsSync(join(dir, 'unlisted', LOCK_FILE))).toBe(false);
  } finally {
    await first.stop();
  }
  expect(existsSync(join(dir, 'first', LOCK_FILE))).toBe(false);
  // Released: the same data dir starts again.
  const again = await TradingSystem.start(config('first'));
  await again.stop();
}, 120_000);
