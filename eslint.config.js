// ESLint flat config. Beyond the recommended rules, it enforces the layer direction of
// DESIGN.md: protocol ← runtime ← trading ← venues/ops ← actors. An import that points the
// wrong way fails lint (and so CI). Strategies may never reach execution or venue code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import specifiers that resolve into the named top-level folder. */
const into = (...folders) =>
  folders.flatMap((folder) => [`**/src/${folder}`, `**/src/${folder}/**`, `../${folder}`, `../${folder}/**`, `../../${folder}/**`]);

/**
 * One rule per layer: flat-config rules with the same name override each other, so every
 * forbidden arrow of a layer must be listed in its single entry.
 */
const layer = (files, forbidden, message, packages = []) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: [...forbidden, ...packages], message }] }],
  },
});

const ccxtOnlyInVenues = ['ccxt', 'ccxt/**'];
const APP = into('app', 'cli');
const ACTORS = ['**/actors/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/results/**', 'coverage/**', 'data/**', 'test/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  layer(['src/protocol/**'], [...into('runtime', 'trading', 'venues', 'ops', 'store', 'sim'), ...APP, ...ACTORS], 'src/protocol depends on nothing: it is the bottom layer.', ['ccxt', 'msgpackr', 'pino']),
  layer(['src/runtime/**'], [...into('trading', 'venues', 'ops', 'store', 'sim'), ...APP, ...ACTORS], 'src/runtime knows nothing about trading, venues, ops or actors (protocol ← runtime ← trading ← venues/ops/store ← actors).', ccxtOnlyInVenues),
  layer(['src/trading/**'], [...into('venues', 'ops', 'store', 'sim'), ...APP, ...ACTORS], 'src/trading is pure domain logic: it may use protocol and runtime only.', [...ccxtOnlyInVenues, 'better-sqlite3']),
  layer(['src/ops/**'], [...into('venues', 'store', 'sim'), ...APP, ...ACTORS], 'src/ops may use protocol, runtime and trading only.', ccxtOnlyInVenues),
  layer(['src/store/**'], [...into('venues', 'ops', 'sim'), ...APP, ...ACTORS], 'src/store (durable journals) may use protocol, runtime and trading only.', ccxtOnlyInVenues),
  layer(['src/venues/**'], [...into('ops', 'store'), ...APP, ...ACTORS], 'src/venues may use protocol, runtime and trading (and the simulator URL helper) only.'),
  layer(['src/sim/**'], [...into('trading', 'venues', 'ops', 'store'), ...APP, ...ACTORS], 'The simulator is an independent oracle: it may use protocol and runtime only.', ccxtOnlyInVenues),
  layer(['src/app/**'], into('cli'), 'src/app composes the system; only src/cli uses it.'),
  layer(['actors/feed/**', 'actors/execution/**', 'actors/service/**'], APP, 'Actors never import the application or the CLI.'),
  layer(
    ['actors/strategy/**'],
    ['**/actors/execution/**', '../execution/**', '**/actors/feed/**', '../feed/**', ...into('venues', 'sim', 'store'), ...APP],
    'Strategies never import execution, feed or venue code: their only way to the market is an intent message.',
    [...ccxtOnlyInVenues, 'better-sqlite3'],
  ),
);
