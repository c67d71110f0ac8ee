/**
 * `--watch`: reloads a reloadable actor when its module file changes. Watches the directory,
 * not the file: editors save by writing a temp file and renaming it over the original, which
 * ends a watch on the file itself. Changes are debounced (editors write in several steps).
 * Only the module file triggers a reload; the new worker re-reads everything it imports.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ReloadResult } from './hot-reload.js';
import type { Supervisor } from './supervisor.js';

export interface ModuleWatcher {
  close(): void;
}

export function watchReloadableModules(
  supervisor: Supervisor,
  options: { debounceMs?: number; graceMs?: number; onResult?: (result: ReloadResult) => void } = {},
): ModuleWatcher {
  const byDirectory = new Map<string, Map<string, string>>(); // dir → file name → actorId
  for (const [actorId, record] of supervisor.actors) {
    if (!record.config.reloadable || !record.info?.allowsReload) continue;
    const dir = dirname(record.spec.modulePath);
    if (!byDirectory.has(dir)) byDirectory.set(dir, new Map());
    byDirectory.get(dir)!.set(basename(record.spec.modulePath), actorId);
  }
  const timers = new Map<string, NodeJS.Timeout>();
  const queue = new Map<string, Promise<unknown>>();
  const trigger = (actorId: string): void => {
    clearTimeout(timers.get(actorId));
    timers.set(
      actorId,
      setTimeout(() => {
        // One reload at a time per actor: a save during a reload queues behind it.
        const previous = queue.get(actorId) ?? Promise.resolve();
        const next = previous.then(async () => {
          const result = await supervisor.reload(actorId, options.graceMs === undefined ? {} : { graceMs: options.graceMs });
          options.onResult?.(result);
        });
        queue.set(actorId, next.catch(() => {}));
      }, options.debounceMs ?? 150),
    );
  };
  const watchers: FSWatcher[] = [...byDirectory].map(([dir, files]) =>
    watch(dir, (_event, filename) => {
      const actorId = filename ? files.get(basename(filename.toString())) : undefined;
      if (actorId) trigger(actorId);
    }),
  );
  supervisor.log.info({ modules: [...byDirectory.values()].flatMap((m) => [...m.keys()]) }, 'watching reloadable modules for changes');
  return {
    close() {
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
