/**
 * Loads one ccxt exchange class without the whole ccxt bundle.
 *
 * `import('ccxt')` costs ~94 MB per worker thread; importing only `js/src/pro/<id>.js` costs
 * ~30 MB (notes/ccxt-offline.md). ccxt's package `exports` map hides that subpath, so the file
 * is located from the package root and imported by URL. The error classes are loaded the same
 * way (`js/src/base/errors.js`): it is the very module the exchange classes throw from, so
 * `instanceof` works against them.
 *
 * `createExchange` also applies the options that keep `loadMarkets` to one request per market
 * type (no currencies, no margin pairs), which is what both the simulator and a lean feed want.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ccxt from 'ccxt';
import type { Exchange } from 'ccxt';

/** The error classes as ccxt exports them (the subset Arbiter reasons about). */
export type CcxtErrorClasses = Pick<
  typeof Ccxt,
  | 'BaseError'
  | 'ExchangeError'
  | 'AuthenticationError'
  | 'PermissionDenied'
  | 'BadRequest'
  | 'BadSymbol'
  | 'InsufficientFunds'
  | 'InvalidOrder'
  | 'OrderNotFound'
  | 'OrderImmediatelyFillable'
  | 'DuplicateOrderId'
  | 'MarketClosed'
  | 'NotSupported'
  | 'OperationFailed'
  | 'OperationRejected'
  | 'NetworkError'
  | 'DDoSProtection'
  | 'RateLimitExceeded'
  | 'ExchangeNotAvailable'
  | 'RequestTimeout'
  | 'InvalidNonce'
  | 'ChecksumError'
  | 'BadResponse'
  | 'NullResponse'
>;
type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

/** Options per exchange id that make loadMarkets fetch only what trading needs (notes/ccxt-offline.md). */
export const MINIMAL_MARKET_OPTIONS: Readonly<Record<string, { options?: Record<string, unknown>; has?: Record<string, unknown> }>> = {
  binance: { options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false } },
  binanceusdm: { options: { fetchMargins: false, fetchCurrencies: false } },
  bybit: { has: { fetchCurrencies: false }, options: { fetchMarkets: { types: ['spot', 'linear'] }, enableUnifiedAccount: true, enableUnifiedMargin: false } },
  okx: { has: { fetchCurrencies: false }, options: { fetchMarkets: { types: ['spot', 'swap'] } } },
};

let packageRoot: string | undefined;

/** ccxt's package directory, found by walking up from its resolved entry point. */
export function ccxtRoot(): string {
  if (packageRoot) return packageRoot;
  let dir = dirname(createRequire(import.meta.url).resolve('ccxt'));
  for (let depth = 0; depth < 5; depth++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ccxt') {
      packageRoot = dir;
      return dir;
    }
  }
  throw new Error('cannot locate the ccxt package root');
}

const classes = new Map<string, Promise<ExchangeClass>>();

/** The ccxt class for `id` (the ccxt.pro one when it exists, so `watch*` methods are available). */
export function loadExchangeClass(id: string): Promise<ExchangeClass> {
  if (!/^[a-z0-9]+$/.test(id)) return Promise.reject(new Error(`invalid ccxt exchange id ${JSON.stringify(id)}`));
  let loading = classes.get(id);
  if (!loading) {
    loading = (async () => {
      const root = ccxtRoot();
      const pro = join(root, 'js', 'src', 'pro', `${id}.js`);
      const rest = join(root, 'js', 'src', `${id}.js`);
      const file = existsSync(pro) ? pro : rest;
      if (!existsSync(file)) throw new Error(`ccxt has no exchange ${JSON.stringify(id)}`);
      const module = (await import(pathToFileURL(file).href)) as { default: ExchangeClass };
      return module.default;
    })();
    classes.set(id, loading);
  }
  return loading;
}

let errors: Promise<CcxtErrorClasses> | undefined;

/** ccxt's error classes (AuthenticationError, RateLimitExceeded, …), from the module the classes throw. */
export function loadCcxtErrors(): Promise<CcxtErrorClasses> {
  errors ??= import(pathToFileURL(join(ccxtRoot(), 'js', 'src', 'base', 'errors.js')).href) as Promise<CcxtErrorClasses>;
  return errors;
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = result[key];
    const bothObjects = value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current);
    result[key] = bothObjects ? merge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return result;
}

/**
 * Constructs exchange `id` with the minimal-loadMarkets options merged under `config`
 * (what the caller passes wins).
 *
 * @example
 * const exchange = await createExchange('binanceusdm', { apiKey, secret, enableRateLimit: false });
 */
export async function createExchange(id: string, config: Record<string, unknown> = {}): Promise<Exchange> {
  const ExchangeClass = await loadExchangeClass(id);
  return new ExchangeClass(merge(MINIMAL_MARKET_OPTIONS[id] ?? {}, config));
}
