/**
 * The layer rule of DESIGN.md as an ESLint rule that works on *resolved* paths: every relative
 * import (static, re-export or dynamic) is resolved against the importing file and classified by
 * the folder it lands in, so an import from any depth is judged by where it goes, not by how many
 * `../` it spells. Bare package imports are checked against a per-layer deny list.
 *
 *   protocol ← base ← runtime ← trading ← execution ← venues/store/ops ← actors ← app ← cli
 *   sim: protocol and base only (it is the tests' independent oracle)
 *
 * Files outside these folders (test/, bench/, config) are not restricted.
 */
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Ordered: the first prefix that matches names the layer (so actors/strategy before actors). */
const LAYERS = [
  ['src/protocol', 'protocol'],
  ['src/base', 'base'],
  ['src/runtime', 'runtime'],
  ['src/trading/strategy', 'strategy-logic'],
  ['src/trading', 'trading'],
  ['src/execution', 'execution'],
  ['src/venues', 'venues'],
  ['src/store', 'store'],
  ['src/ops', 'ops'],
  ['src/sim', 'sim'],
  ['actors/strategy', 'strategy-actor'],
  ['actors', 'actors'],
  ['src/app', 'app'],
  ['src/cli', 'cli'],
];

const below = {
  protocol: [],
  base: ['protocol'],
  runtime: ['protocol', 'base'],
  trading: ['protocol', 'base', 'trading'],
  'strategy-logic': ['protocol', 'base', 'trading', 'strategy-logic'],
  execution: ['protocol', 'base', 'runtime', 'trading', 'strategy-logic'],
  venues: ['protocol', 'base', 'runtime', 'trading', 'execution'],
  store: ['protocol', 'base', 'runtime', 'trading', 'execution'],
  ops: ['protocol', 'base', 'runtime', 'trading', 'execution'],
  sim: ['protocol', 'base'],
  'strategy-actor': ['protocol', 'base', 'runtime', 'trading', 'strategy-logic'],
  actors: ['protocol', 'base', 'runtime', 'trading', 'strategy-logic', 'execution', 'venues', 'store', 'ops', 'sim', 'strategy-actor'],
  app: ['protocol', 'base', 'runtime', 'trading', 'strategy-logic', 'execution', 'venues', 'store', 'ops', 'sim', 'actors', 'strategy-actor'],
  cli: ['protocol', 'base', 'runtime', 'trading', 'strategy-logic', 'execution', 'venues', 'store', 'ops', 'sim', 'actors', 'strategy-actor', 'app'],
};

/** Packages a layer may not import (ccxt lives in venues; SQLite in store). */
const CCXT_OUTSIDE_VENUES = ['ccxt'];
const deniedPackages = {
  protocol: ['ccxt', 'msgpackr', 'pino', 'better-sqlite3', 'comlink', 'piscina'],
  base: ['ccxt', 'msgpackr', 'better-sqlite3', 'comlink', 'piscina'],
  runtime: [...CCXT_OUTSIDE_VENUES, 'better-sqlite3'],
  trading: [...CCXT_OUTSIDE_VENUES, 'better-sqlite3', 'comlink', 'piscina'],
  'strategy-logic': [...CCXT_OUTSIDE_VENUES, 'better-sqlite3', 'comlink', 'piscina'],
  execution: [...CCXT_OUTSIDE_VENUES, 'better-sqlite3'],
  store: CCXT_OUTSIDE_VENUES,
  ops: [...CCXT_OUTSIDE_VENUES, 'better-sqlite3'],
  sim: [...CCXT_OUTSIDE_VENUES, 'better-sqlite3'],
  'strategy-actor': [...CCXT_OUTSIDE_VENUES, 'better-sqlite3'],
};

const WHY = {
  protocol: 'src/protocol depends on nothing: it is the bottom layer.',
  base: 'src/base holds leaf utilities: it may use src/protocol only.',
  runtime: 'src/runtime is the actor runtime: it may use protocol and base, and knows nothing about trading.',
  trading: 'src/trading is pure domain logic: it may use protocol and base only.',
  'strategy-logic': 'Strategies are pure domain logic: protocol, base and src/trading only; their only way to the market is an intent message.',
  execution: 'src/execution may use protocol, base, runtime and trading (never a venue adapter or ccxt: it talks to the TradeVenue port).',
  venues: 'src/venues may use protocol, base, runtime, trading and execution.',
  store: 'src/store may use protocol, base, runtime, trading and execution.',
  ops: 'src/ops may use protocol, base, runtime, trading and execution.',
  sim: 'The simulator is an independent oracle: it may use protocol and base only.',
  'strategy-actor': 'Strategy actors never import execution, feed, venue, store or simulator code: their only way to the market is an intent message.',
  actors: 'Actors never import the application or the CLI.',
  app: 'src/app composes the system; only src/cli uses it.',
  cli: '',
};

/** The layer of an absolute path, or null outside the layered folders. */
export function layerOf(absolutePath) {
  const rel = path.relative(ROOT, absolutePath).split(path.sep).join('/');
  for (const [prefix, layer] of LAYERS) if (rel === prefix || rel.startsWith(prefix + '/')) return layer;
  return null;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Why `specifier` imported from `filename` breaks the layer rule, or null. */
export function violation(filename, specifier) {
  const from = layerOf(path.resolve(filename));
  if (!from || typeof specifier !== 'string') return null;
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const to = layerOf(path.resolve(path.dirname(path.resolve(filename)), specifier));
    if (!to || to === from || below[from].includes(to)) return null;
    return `${WHY[from]} (${from} → ${to})`;
  }
  if (specifier.startsWith('node:')) return null;
  const name = packageName(specifier);
  if ((deniedPackages[from] ?? []).includes(name)) return `${WHY[from]} (package ${name} is not for ${from})`;
  return null;
}

const rule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{why}}' } },
  create(context) {
    const filename = context.filename ?? context.getFilename();
    const check = (node, source) => {
      if (!source || source.type !== 'Literal') return;
      const why = violation(filename, source.value);
      if (why) context.report({ node: source, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export default { rules: { layers: rule } };
