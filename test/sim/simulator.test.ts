/**
 * The simulator as a server: option validation, the HTTP control endpoint (SimControl),
 * venue error answers for bad requests, scenarios, the node:http backend, the child-process
 * runner, the CLI's argument parsing and the ccxt URL redirect.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseSimArgs } from '../../src/cli/sim.js';
import { SimControl } from '../../src/sim/control/client.js';
import { spawnSimulator } from '../../src/sim/process.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { redirectToSimulator, redirectUrl } from '../../src/venues/sim-redirect.js';
import { ccxtClient, CREDENTIALS, startTestSimulator } from './helpers.js';

describe('simulator options', () => {
  it.each([
    [{ timeScale: -1 }, /timeScale: expected a number > 0.*got -1/],
    [{ scenario: 'stormy' as never }, /scenario: expected one of calm, .*got "stormy"/],
    [{ venues: ['kraken'] }, /venues: expected one of binance, binanceusdm, .*got "kraken"/],
    [{ port: 70_000 }, /port: expected an integer port 0…65535, got 70000/],
    [{ tickMs: 1 }, /tickMs: expected an integer 5…10000, got 1/],
    [{ symbols: ['DOGE/USDT'] }, /symbols: expected at least one symbol listed on binance/],
  ])('rejects %o naming the option and the value', async (options, message) => {
    await expect(startTestSimulator(options)).rejects.toThrow(message);
  });

  it('never echoes a secret in an error', async () => {
    await expect(startTestSimulator({ credentials: [{ apiKey: 'k', secret: '' }] })).rejects.toThrow(/credentials\[0\]\.secret: .*"\[redacted\]"/);
  });
});

describe('simulator server and control endpoint', () => {
  let sim: Simulator;
  let control: SimControl;

  beforeAll(async () => {
    sim = await startTestSimulator({ seed: 9, venues: ['binance', 'binanceusdm'], symbols: ['BTC/USDT', 'ETH/USDT', 'ETH/BTC'] });
    control = new SimControl(sim.url);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('reports health and truth over HTTP exactly as in process', async () => {
    const health = await control.health();
    expect(health).toMatchObject({ ok: true, seed: 9, scenario: 'calm', venues: ['binance', 'binanceusdm'], backend: sim.backend, paused: false });
    await control.setMarketPaused(true);
    try {
      expect(await control.books('binance')).toEqual(await sim.control.books('binance'));
      expect(await control.book('binanceusdm', 'ETH/USDT:USDT', 5)).toEqual(await sim.control.book('binanceusdm', 'ETH/USDT:USDT', 5));
    } finally {
      await control.setMarketPaused(false);
    }
    const symbols = (await control.books()).map((top) => `${top.venue} ${top.symbol}`);
    expect(symbols).toEqual(['binance BTC/USDT', 'binance ETH/USDT', 'binance ETH/BTC', 'binanceusdm BTC/USDT:USDT', 'binanceusdm ETH/USDT:USDT']);
    expect((await control.funding('binanceusdm')).map((entry) => entry.intervalHours)).toEqual([8, 8]);
  });

  it('answers bad control requests with 400 and a reason, unknown routes with 404', async () => {
    const post = (path: string, body: string) => fetch(`${sim.url}/_sim${path}`, { method: 'POST', body });
    const badJson = await post('/faults', '{not json');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ error: 'body is not valid JSON' });
    const badFault = await post('/faults', JSON.stringify({ kind: 'http-error', status: 302 }));
    expect(badFault.status).toBe(400);
    expect(((await badFault.json()) as { error: string }).error).toContain('status must be 429, 418 or 5xx');
    await expect(control.settleFunding('binance')).rejects.toThrow(/400.*no perp/);
    await expect(control.book('nowhere', 'BTC/USDT')).rejects.toThrow(/400.*unknown venue/);
    expect((await fetch(`${sim.url}/_sim/nothing`)).status).toBe(404);
  });

  it('answers bad venue requests with the venue’s own errors, never a crash', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${sim.url}${path}`);
      return { status: response.status, body: await response.text() };
    };
    expect(await get('/api.binance.com/api/v3/depth?symbol=NOPE')).toEqual({ status: 400, body: '{"code":-1121,"msg":"Invalid symbol."}' });
    expect((await get('/fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=7')).body).toBe('{"code":-4021,"msg":"Invalid depth limit."}');
    expect((await get('/api.binance.com/api/v3/nothing')).status).toBe(404);
    expect((await get('/api.binance.com/api/v3/order')).body).toContain('-2014'); // no API key header
    // A correctly signed order with a malformed quantity: binance's -1100, not a crash.
    const query = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e-3&price=100&timestamp=${Date.now()}`;
    const signature = createHmac('sha256', CREDENTIALS.secret).update(query).digest('hex');
    const response = await fetch(`${sim.url}/api.binance.com/api/v3/order`, {
      method: 'POST',
      headers: { 'x-mbx-apikey': CREDENTIALS.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${query}&signature=${signature}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: number }).code).toBe(-1100);
    const stale = `symbol=BTCUSDT&timestamp=${Date.now() - 120_000}`;
    const staleSignature = createHmac('sha256', CREDENTIALS.secret).update(stale).digest('hex');
    const old = await fetch(`${sim.url}/api.binance.com/api/v3/openOrders?${stale}&signature=${staleSignature}`, { headers: { 'x-mbx-apikey': CREDENTIALS.apiKey } });
    expect(((await old.json()) as { code: number }).code).toBe(-1021);
  });

  it('answers a bad WebSocket request with binance’s error frame and keeps the socket', async () => {
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/stream.binance.com/ws`);
    await once(ws, 'open');
    /** Sends a request and waits for the reply carrying its id (market data may arrive in between). */
    const ask = async (request: string | { method: string; params?: string[]; id: number }): Promise<unknown> => {
      const id = typeof request === 'string' ? undefined : request.id;
      ws.send(typeof request === 'string' ? request : JSON.stringify(request));
      for (;;) {
        const reply = JSON.parse(String(((await once(ws, 'message')) as [Buffer])[0])) as { id?: number; error?: unknown };
        if (reply.id === id || (id === undefined && reply.error !== undefined)) return reply;
      }
    };
    expect(await ask('not json')).toEqual({ error: { code: 3, msg: expect.stringContaining('Invalid JSON') } });
    expect(await ask({ method: 'SUBSCRIBE', params: ['nope@depth'], id: 7 })).toEqual({ error: { code: 2, msg: 'Invalid request: invalid stream nope@depth' }, id: 7 });
    expect(await ask({ method: 'SUBSCRIBE', params: ['btcusdt@bookTicker'], id: 8 })).toEqual({ result: null, id: 8 });
    expect(await ask({ method: 'LIST_SUBSCRIPTIONS', id: 9 })).toEqual({ result: ['btcusdt@bookTicker'], id: 9 });
    ws.close();
  });

  it('a stall holds frames back without losing any: diffs stay contiguous across it (combined stream)', async () => {
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/stream.binance.com/stream?streams=btcusdt@depth@100ms`);
    const events: { U: number; u: number }[] = [];
    const names = new Set<string>();
    ws.on('message', (frame: Buffer) => {
      const message = JSON.parse(String(frame)) as { stream: string; data: { U: number; u: number } };
      names.add(message.stream);
      events.push(message.data);
    });
    await once(ws, 'open');
    await expect.poll(() => events.length, { timeout: 5_000, interval: 10 }).toBeGreaterThan(3);
    await control.inject({ kind: 'stall-streams', venue: 'binance' });
    const stalledAt = events.length;
    const bookId = (await control.books('binance'))[0]?.updateId as number;
    // The venue keeps trading (its book moves on) while nothing reaches the client.
    await expect.poll(async () => (await control.books('binance'))[0]?.updateId as number, { timeout: 5_000, interval: 20 }).toBeGreaterThan(bookId + 50);
    expect(events.length).toBeLessThanOrEqual(stalledAt + 2); // at most frames already in flight
    await control.inject({ kind: 'resume-streams', venue: 'binance' });
    await expect.poll(() => events.length, { timeout: 5_000, interval: 10 }).toBeGreaterThan(stalledAt + 3);
    ws.close();
    const gaps = events.filter((event, i) => i > 0 && event.U !== (events[i - 1] as { u: number }).u + 1);
    expect(gaps).toEqual([]);
    expect([...names]).toEqual(['btcusdt@depth@100ms']);
  });

  it('adds latency to one venue’s HTTP answers', async () => {
    await control.inject({ kind: 'latency', venue: 'binanceusdm', ms: 250 });
    try {
      const started = performance.now();
      expect((await fetch(`${sim.url}/fapi.binance.com/fapi/v1/time`)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
      const other = performance.now();
      await fetch(`${sim.url}/api.binance.com/api/v3/time`);
      expect(performance.now() - other).toBeLessThan(200);
    } finally {
      await control.inject({ kind: 'latency', venue: 'binanceusdm', ms: 0 });
    }
  });

  it('runs scenarios: a price dislocation moves one venue away from the other', async () => {
    await control.setScenario('price-dislocation', { target: 'binance', magnitude: 100, startDelayMs: 0, periodMs: 60_000, durationMs: 60_000 });
    try {
      const gap = async () => {
        const tops = await control.books();
        const spot = tops.find((top) => top.venue === 'binance' && top.symbol === 'BTC/USDT');
        const perp = tops.find((top) => top.venue === 'binanceusdm' && top.symbol === 'BTC/USDT:USDT');
        return (spot?.markPrice as number) / (perp?.markPrice as number) - 1;
      };
      await expect.poll(gap, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0.008);
    } finally {
      await control.setScenario('calm');
    }
    expect((await control.health()).scenario).toBe('calm');
  });

  it('runs scenarios: triangular mispricing moves ETH/BTC off the price implied by ETH/USDT and BTC/USDT', async () => {
    const mispricing = async () => {
      const tops = await control.books('binance');
      const mark = (symbol: string) => tops.find((top) => top.symbol === symbol)?.markPrice as number;
      return mark('ETH/BTC') / (mark('ETH/USDT') / mark('BTC/USDT')) - 1;
    };
    expect(Math.abs(await mispricing())).toBeLessThan(0.002);
    await control.setScenario('triangular-mispricing', { magnitude: 80, startDelayMs: 0, periodMs: 60_000, durationMs: 60_000 });
    try {
      await expect.poll(mispricing, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0.006);
    } finally {
      await control.setScenario('calm');
    }
  });

  it('runs the chaos scenario: faults fire on their own, then stop with the scenario', async () => {
    await control.setScenario('chaos', { faultIntervalMs: 50 });
    await expect.poll(async () => (await control.faults()).history.length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(2);
    await control.setScenario('calm');
    await control.clearFaults();
    expect((await control.faults()).armed).toMatchObject({ httpErrors: [], orderRejections: [], sequenceSkips: [] });
  });
});

describe('the simulator on the node:http fallback backend', () => {
  it('serves ccxt the same way', async () => {
    const sim = await startTestSimulator({ backend: 'node', venues: ['binance'] });
    const exchange = await ccxtClient('binance', sim);
    try {
      expect(sim.backend).toBe('node');
      await exchange.loadMarkets();
      let updates = 0;
      while (updates < 20) {
        const book = await exchange.watchOrderBook('ETH/USDT');
        expect(book.bids[0]?.[0] as number).toBeLessThan(book.asks[0]?.[0] as number);
        updates++;
      }
      const order = await exchange.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 3000, { clientOrderId: 'node-backend' });
      expect((await exchange.fetchOrder(order.id as string, 'ETH/USDT')).clientOrderId).toBe('node-backend');
    } finally {
      await exchange.close();
      await sim.stop();
    }
  });
});

describe('the simulator in its own process', () => {
  it('starts, answers, and stops with its parent’s request', async () => {
    const child = await spawnSimulator({ seed: 4, venues: ['binanceusdm'], backend: 'node' });
    try {
      const health = await new SimControl(child.url).health();
      expect(health).toMatchObject({ ok: true, seed: 4, venues: ['binanceusdm'] });
      expect(child.pid).not.toBe(process.pid);
    } finally {
      await child.stop();
    }
    await expect(fetch(`${child.url}/_sim/health`)).rejects.toThrow();
  });
});

describe('arbiter sim arguments', () => {
  it('parses options and names the option and value when one is wrong', () => {
    expect(parseSimArgs(['--port', '0', '--seed=7', '--scenario', 'chaos', '--time-scale', '960', '--venues', 'binance'])).toEqual({
      port: 0,
      seed: 7,
      scenario: 'chaos',
      timeScale: 960,
      venues: ['binance'],
    });
    expect(() => parseSimArgs(['--port', 'eighty'])).toThrow('--port: expected an integer 0…65535, got "eighty"');
    expect(() => parseSimArgs(['--time-scale', '0'])).toThrow('--time-scale: expected a number > 0 and ≤ 1e6, got "0"');
    expect(() => parseSimArgs(['--scenario'])).toThrow('--scenario: a value is required');
    expect(() => parseSimArgs(['--colour', 'red'])).toThrow('unknown option "--colour"');
  });
});

describe('ccxt URL redirect', () => {
  const base = 'http://127.0.0.1:8900';

  it('keeps the original host as the first path segment, drops its port, and maps wss to ws', () => {
    expect(redirectUrl('https://fapi.binance.com/fapi/v1', base)).toBe('http://127.0.0.1:8900/fapi.binance.com/fapi/v1');
    expect(redirectUrl('wss://stream.binance.com:9443/ws', base)).toBe('ws://127.0.0.1:8900/stream.binance.com/ws');
    expect(redirectUrl('https://api.{hostname}/v5', base)).toBe('http://127.0.0.1:8900/api.{hostname}/v5');
    expect(redirectUrl('not a url', base)).toBe('not a url');
  });

  it('rewrites every tree of a real ccxt instance and sets the agent ccxt needs for ws://', async () => {
    const sim = { url: base } as Simulator;
    const exchange = await ccxtClient('binanceusdm', sim);
    const urls = JSON.stringify(exchange.urls.api) + JSON.stringify(exchange.urls['test']);
    expect(urls).not.toMatch(/https:|wss:/);
    expect((exchange.urls.api as Record<string, unknown>)['fapiPublic']).toBe(`${base}/fapi.binance.com/fapi/v1`);
    expect(((exchange.urls.api as Record<string, Record<string, string>>)['ws'] as Record<string, string>)['future']).toBe('ws://127.0.0.1:8900/fstream.binance.com/ws');
    expect(exchange.httpAgent).toBeDefined();
    expect(() => redirectToSimulator(exchange, 'ftp://nope')).toThrow(/simulator URL/);
    await exchange.close();
  });
});
