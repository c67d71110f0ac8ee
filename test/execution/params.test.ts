import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialEnvNames, loadCredentials } from '../../src/venues/trade/credentials.js';
import { parseExecutionParams } from '../../src/execution/params.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('arbiter-params-');
afterAll(() => tmp.remove());

describe('execution params', () => {
  it('defaults everything but the venues, and derives market types and accounts from the ids', () => {
    const params = parseExecutionParams({ simUrl: 'http://127.0.0.1:8900', venues: [{ id: 'binance' }, { id: 'binanceusdm' }, { id: 'okx' }] });
    expect(params).toMatchObject({ mode: 'sim', dataDir: 'data', journalFile: 'execution.sqlite', durability: 'normal', pollIntervalMs: 500, unknownGraceMs: 15_000, paper: { latencyMs: 50 } });
    expect(params.venues.map((v) => [v.id, v.marketTypes, v.account, v.simUrl])).toEqual([
      ['binance', ['spot'], 'BINANCE', 'http://127.0.0.1:8900'],
      ['binanceusdm', ['perp'], 'BINANCE', 'http://127.0.0.1:8900'],
      ['okx', ['spot', 'perp'], 'OKX', 'http://127.0.0.1:8900'],
    ]);
    expect(params.risk.venues).toEqual(['binance', 'binanceusdm', 'okx']);
    expect(params.fees.okx?.perp.takerRateBps).toBe(5);
  });

  it('journals at `full` durability in live mode and `normal` elsewhere unless configured, and refuses an unknown level', () => {
    const venues = [{ id: 'binance' }];
    expect(parseExecutionParams({ mode: 'live', confirmLive: true, venues }).durability).toBe('full');
    expect(parseExecutionParams({ mode: 'paper', venues }).durability).toBe('normal');
    expect(parseExecutionParams({ mode: 'paper', venues, durability: 'full' }).durability).toBe('full');
    expect(parseExecutionParams({ mode: 'live', confirmLive: true, venues, durability: 'normal' }).durability).toBe('normal');
    expect(() => parseExecutionParams({ mode: 'paper', venues, durability: 'fsync' })).toThrow(/CONFIG_INVALID: execution params:\n {2}durability: .*"full".*"normal".*got "fsync"/s);
  });

  it('names the field and the value of every mistake', () => {
    expect(() => parseExecutionParams({ mode: 'demo', venues: [{ id: 'binance' }] })).toThrow(/CONFIG_INVALID: execution params:\n {2}mode: .*got "demo"/);
    expect(() => parseExecutionParams({ mode: 'sim', venues: [{ id: 'binance' }] })).toThrow(/venues\[0\]\.simUrl: sim mode needs a simulator URL/);
    expect(() => parseExecutionParams({ mode: 'sim', simUrl: 'https://api.binance.com', venues: [{ id: 'binance' }] })).toThrow(/simUrl: expected http:\/\/127\.0\.0\.1:<port>.*got "https:\/\/api\.binance\.com"/);
    expect(() => parseExecutionParams({ mode: 'paper', venues: [{ id: 'binance' }], risk: { maxOrderNotionalUsd: -1 } })).toThrow(/risk\.maxOrderNotionalUsd must be a finite number > 0, got -1/);
    expect(() => parseExecutionParams({ mode: 'paper', venues: [{ id: 'binance' }], fees: { binance: { spot: { takerRateBps: 1_000 } } } })).toThrow(/fees\.binance\.spot\.takerRateBps .* got 1000/);
    expect(() => parseExecutionParams({ mode: 'paper', venues: [{ id: 'binance' }], apiKey: 'x' })).toThrow(/Unrecognized key.*"apiKey"/);
    expect(() => parseExecutionParams({ mode: 'live', venues: [{ id: 'binance' }] })).toThrow(/LIVE_NOT_CONFIRMED/);
  });
});

describe('credentials', () => {
  it('come from ARBITER_<ACCOUNT>_API_KEY / _SECRET / _PASSWORD, and a missing one is named, never a value', () => {
    expect(credentialEnvNames('binance')).toEqual({ apiKey: 'ARBITER_BINANCE_API_KEY', secret: 'ARBITER_BINANCE_SECRET', password: 'ARBITER_BINANCE_PASSWORD' });
    const env = { ARBITER_OKX_API_KEY: 'k', ARBITER_OKX_SECRET: 's', ARBITER_OKX_PASSWORD: 'p' };
    expect(loadCredentials('OKX', { source: 'env' }, env)).toEqual({ apiKey: 'k', secret: 's', password: 'p' });
    expect(() => loadCredentials('BINANCE', { source: 'env' }, { ARBITER_BINANCE_API_KEY: 'visible-key' })).toThrow(/SECRETS_MISSING: .*missing: ARBITER_BINANCE_SECRET\)$/);
    expect(() => loadCredentials('BINANCE', { source: 'env' }, { ARBITER_BINANCE_API_KEY: 'visible-key' })).not.toThrow(/visible-key/);
  });

  it('or from a secrets file named in params', () => {
    const path = join(tmp.dir, 'secrets.json');
    writeFileSync(path, JSON.stringify({ binance: { apiKey: 'k', secret: 's' } }));
    expect(loadCredentials('BINANCE', { source: 'file', path })).toEqual({ apiKey: 'k', secret: 's' });
    expect(() => loadCredentials('OKX', { source: 'file', path })).toThrow(/entry "okx" needs non-empty "apiKey" and "secret"/);
    writeFileSync(path, '{ "binance": { "secret": "do-not-print-me"');
    expect(() => loadCredentials('BINANCE', { source: 'file', path })).toThrow(/cannot be read as JSON/);
    expect(() => loadCredentials('BINANCE', { source: 'file', path })).not.toThrow(/do-not-print-me/);
  });
});
