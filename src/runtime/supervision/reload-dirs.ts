/**
 * Which modules a hot reload may load: only files inside the allowed directories, compared by
 * real path (symlinks and `..` resolved), and checked before anything is spawned or imported,
 * so a file elsewhere never has its top-level code run.
 */
import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { arbiterError } from '../../base/errors.js';

export class ReloadDirs {
  private constructor(readonly dirs: readonly string[]) {}

  /** Resolves every directory to its real path; one that does not exist is a CONFIG_INVALID naming it. */
  static of(dirs: readonly string[], baseDir: string): ReloadDirs {
    const real = dirs.map((dir) => {
      const absolute = resolve(baseDir, dir);
      let path: string;
      try {
        path = realpathSync(absolute);
      } catch {
        throw arbiterError('CONFIG_INVALID', `reload directory ${JSON.stringify(dir)} does not exist (resolved to ${absolute})`);
      }
      if (!statSync(path).isDirectory()) throw arbiterError('CONFIG_INVALID', `reload directory ${JSON.stringify(dir)} is not a directory (${path})`);
      return path;
    });
    return new ReloadDirs([...new Set(real)]);
  }

  /** The module's real path, or the reason it may not be loaded. */
  check(modulePath: string): { ok: true; path: string } | { ok: false; reason: string } {
    let real: string;
    try {
      real = realpathSync(modulePath);
    } catch {
      return { ok: false, reason: `module ${modulePath} does not exist` };
    }
    if (!statSync(real).isFile()) return { ok: false, reason: `module ${modulePath} is not a file` };
    if (this.dirs.some((dir) => real.startsWith(dir + sep))) return { ok: true, path: real };
    return { ok: false, reason: `module ${modulePath} (${real}) is outside the reload directories (${this.dirs.join(', ')})` };
  }
}
