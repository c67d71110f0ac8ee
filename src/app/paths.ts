/** Where the project lives: actor module paths in configs are relative to it. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG = resolve(PROJECT_ROOT, 'config/default.json');
/** The project's strategy modules: hot reload may load from here (and from `runtime.reloadDirs`). */
export const STRATEGY_DIR = resolve(PROJECT_ROOT, 'actors/strategy');
