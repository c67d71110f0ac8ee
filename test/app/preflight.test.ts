import { expect, it } from 'vitest';
import { compileGraph } from '../../src/app/compile.js';
import { parseAppConfig } from '../../src/app/config.js';
import { PROJECT_ROOT } from '../../src/app/paths.js';
import { checkActorParams, checkSimSymbols } from '../../src/app/preflight.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';

const SIM = 'http://127.0.0.1:1234';
const graphOf = (config: ReturnType<typeof parseAppConfig>) => parseGraphConfig(compileGraph(config, { dataDir: '/tmp/d', simBaseUrl: SIM }));

it("names the config key of every actor whose params its module refuses, on the main thread", async () => {
  const config = parseAppConfig({
    venues: { binance: { symbols: ['BTC/USDT'], feed: { bookDepth: -5 } }, okx: { symbols: ['BTC/USDT'] } },
    strategies: [
      { id: 'ok', module: 'actors/strategy/spot-spread.ts', params: {} },
      { id: 'spread', module: 'actors/strategy/spot-spread.ts', params: { minSpreadBps: 'x' } },
    ],
    execution: { params: { feeRefreshMs: -1 } },
  });
  const failure = checkActorParams(config, graphOf(config), PROJECT_ROOT);
  await expect(failure).rejects.toThrow(/strategies\[1\]\.params \(actor spread, actors\/strategy\/spot-spread\.ts\): .*minSpreadBps/s);
  await expect(failure).rejects.toThrow(/venues\.binance\.feed \(actor feed-binance/);
  await expect(failure).rejects.toThrow(/execution\.params \(actor execution/);
  await expect(failure).rejects.not.toThrow(/strategies\[0\]|feed-okx/);
});

it('names a module that cannot be loaded by its config key', async () => {
  const config = parseAppConfig({ venues: { binance: { symbols: ['BTC/USDT'] } }, strategies: [{ id: 's', module: 'actors/strategy/nope.ts' }] });
  await expect(checkActorParams(config, graphOf(config), PROJECT_ROOT)).rejects.toThrow(/strategies\[0\]\.params \(actor s, actors\/strategy\/nope\.ts\): .*cannot load/);
});

it('sim: refuses a configured symbol the simulator does not list on that venue, naming the key', () => {
  const config = parseAppConfig({ venues: { binanceusdm: { symbols: ['BTC/USDT:USDT', 'DOGE/USDT:USDT'] } } });
  const listed = [{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT' }, { venue: 'bybit', symbol: 'DOGE/USDT:USDT' }];
  expect(() => checkSimSymbols(config, listed, SIM)).toThrow(/venues\.binanceusdm\.symbols\[1\]: the simulator at \S+ lists no DOGE\/USDT:USDT on binanceusdm \(it lists BTC\/USDT:USDT\)/);
  expect(() => checkSimSymbols(config, [...listed, { venue: 'binanceusdm', symbol: 'DOGE/USDT:USDT' }], SIM)).not.toThrow();
});
