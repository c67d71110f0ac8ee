/**
 * The layer rule judges an import by where it resolves, at any folder depth: one forbidden import
 * per depth must fail lint with the layer's message, and the allowed arrows must pass.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'arbiter/layers').map((m) => m.message);
}

const forbidden: Array<[file: string, code: string, arrow: string]> = [
  ['src/protocol/x.ts', "import '../runtime/transport/ring.js';", 'protocol → runtime'],
  ['src/base/x.ts', "import '../runtime/actor/actor.js';", 'base → runtime'],
  ['src/base/net/x.ts', "import '../../trading/market/book.js';", 'base → trading'],
  ['src/runtime/x.ts', "import '../trading/market/book.js';", 'runtime → trading'],
  ['src/runtime/transport/x.ts', "export * from '../../execution/core.js';", 'runtime → execution'],
  ['src/trading/market/x.ts', "import '../../execution/order-store.js';", 'trading → execution'],
  ['src/trading/market/deep/x.ts', "import '../../../venues/trade/ccxt-venue.js';", 'trading → venues'],
  ['src/trading/strategy/x.ts', "import '../../execution/core.js';", 'strategy-logic → execution'],
  ['src/execution/x.ts', "import '../venues/trade/ccxt-venue.js';", 'execution → venues'],
  ['src/execution/deep/x.ts', "import '../../store/sqlite-journal.js';", 'execution → store'],
  ['src/venues/trade/engine/x.ts', "import '../../../app/system.js';", 'venues → app'],
  ['src/venues/trade/engine/x.ts', "import '../../../store/sqlite-journal.js';", 'venues → store'],
  ['src/sim/venues/x.ts', "import '../../runtime/transport/ring.js';", 'sim → runtime'],
  ['src/sim/x.ts', "const m = await import('../trading/market/book.js'); void m;", 'sim → trading'],
  ['actors/strategy/x.ts', "import '../../src/execution/core.js';", 'strategy-actor → execution'],
  ['actors/strategy/lib/x.ts', "import '../../execution/execution.js';", 'strategy-actor → actors'],
  ['actors/feed/x.ts', "import '../../src/app/system.js';", 'actors → app'],
  ['src/app/x.ts', "import '../cli/main.js';", 'app → cli'],
];

describe('layer rule', () => {
  it.each(forbidden)('%s: %s fails lint', async (file, code, arrow) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`(${arrow})`);
  });

  it('refuses packages a layer may not use, at any depth', async () => {
    expect(await layerErrors('src/trading/strategy/x.ts', "import 'ccxt';")).toHaveLength(1);
    expect(await layerErrors('src/execution/x.ts', "import Database from 'better-sqlite3'; void Database;")).toHaveLength(1);
    expect(await layerErrors('src/protocol/x.ts', "import { pack } from 'msgpackr'; void pack;")).toHaveLength(1);
    expect(await layerErrors('src/venues/feed/adapters/x.ts', "import 'ccxt';")).toEqual([]);
  });

  it('lets the allowed arrows through', async () => {
    expect(await layerErrors('src/execution/x.ts', "import '../trading/market/book.js';\nimport '../runtime/transport/codec.js';")).toEqual([]);
    expect(await layerErrors('src/venues/trade/x.ts', "import '../../execution/venue-port.js';")).toEqual([]);
    expect(await layerErrors('actors/strategy/x.ts', "import '../../src/trading/strategy/logic.js';\nimport '../../src/runtime/actor/actor.js';")).toEqual([]);
    expect(await layerErrors('test/x.ts', "import '../src/execution/core.js';\nimport 'ccxt';")).toEqual([]);
  });
});
