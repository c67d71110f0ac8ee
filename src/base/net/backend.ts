/**
 * Which server backend to use: uWebSockets.js when its native binary loads for this Node ABI,
 * node:http + `ws` otherwise. `ARBITER_HTTP_BACKEND=uws|node` forces one (tests prove both).
 *
 * uWS ships one prebuilt binary per Node ABI. The build installed here only has binaries for
 * Node 18/20; on Node 22/24 its own loader prints a warning and silently swaps in a slow JS
 * re-implementation. We check for the binary before importing, so on those versions we go
 * straight to our node backend without the noise, and we refuse that JS stand-in if it ever
 * loads anyway (it has no `SSLApp`, which every native build exports).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Uws from 'uWebSockets.js';
import { arbiterError } from '../errors.js';
import type { NetBackendName } from './types.js';

const HTTP_BACKEND_ENV = 'ARBITER_HTTP_BACKEND';

/** The subset of the uWS module we use (typed loosely: the package's typings are CJS-only). */
export type UwsModule = typeof Uws;

export type BackendChoice = { readonly name: 'uws'; readonly uws: UwsModule } | { readonly name: 'node'; readonly reason: string };

let cachedUws: Promise<UwsModule | string> | undefined;

function uwsBinaryPath(): string | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('uWebSockets.js');
  } catch {
    return undefined;
  }
  const file = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  // The official package keeps binaries next to uws.js; the republished one under binaries/.
  for (let dir = dirname(entry), depth = 0; depth < 3; dir = dirname(dir), depth++) {
    for (const candidate of [join(dir, file), join(dir, 'binaries', file)]) if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'package.json'))) break;
  }
  return undefined;
}

/** Loads uWS once per thread; resolves to the module, or to the reason it is unavailable. */
function loadUws(): Promise<UwsModule | string> {
  cachedUws ??= (async () => {
    if (!uwsBinaryPath()) return `no uWebSockets.js binary for ${process.platform}-${process.arch} Node ABI ${process.versions.modules}`;
    try {
      const imported = (await import('uWebSockets.js')) as unknown as { default?: UwsModule } & UwsModule;
      const module = imported.default ?? imported;
      if (typeof module.App !== 'function' || typeof (module as { SSLApp?: unknown }).SSLApp !== 'function') {
        return 'uWebSockets.js loaded its JavaScript stand-in, not the native build';
      }
      return module;
    } catch (error) {
      return `uWebSockets.js failed to load: ${error instanceof Error ? error.message : String(error)}`;
    }
  })();
  return cachedUws;
}

function requested(preference: NetBackendName | 'auto' | undefined): NetBackendName | 'auto' {
  if (preference !== undefined && preference !== 'auto') return preference;
  const fromEnv = process.env[HTTP_BACKEND_ENV];
  if (fromEnv === undefined || fromEnv === '' || fromEnv === 'auto') return 'auto';
  if (fromEnv === 'uws' || fromEnv === 'node') return fromEnv;
  throw arbiterError('CONFIG_INVALID', `${HTTP_BACKEND_ENV}: expected "uws", "node" or "auto", got ${JSON.stringify(fromEnv)}`);
}

/** Picks the backend. Forcing `uws` where it cannot load is a configuration error, not a silent fallback. */
export async function chooseBackend(preference?: NetBackendName | 'auto'): Promise<BackendChoice> {
  const wanted = requested(preference);
  if (wanted === 'node') return { name: 'node', reason: 'requested' };
  const uws = await loadUws();
  if (typeof uws !== 'string') return { name: 'uws', uws };
  if (wanted === 'uws') throw arbiterError('CONFIG_INVALID', `backend "uws" was requested but ${uws}`);
  return { name: 'node', reason: uws };
}
