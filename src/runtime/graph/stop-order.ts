/**
 * The one shutdown order of a graph, used by the supervisor and by the lockstep driver alike:
 * actors grouped by their `stopStage` (graph-config.ts), lowest stage first. The application
 * chooses the stages (src/app/compile.ts); the runtime only follows them.
 *
 * @example
 * ```ts
 * for (const stage of stopStages(graph.actors, (actor) => actor.stopStage)) await Promise.all(stage.map(stop));
 * ```
 */

/** `items` grouped by stop stage, in stopping order; within a stage they keep their order. */
export function stopStages<T>(items: readonly T[], stageOf: (item: T) => number): T[][] {
  const byStage = new Map<number, T[]>();
  for (const item of items) {
    const stage = stageOf(item);
    let group = byStage.get(stage);
    if (!group) byStage.set(stage, (group = []));
    group.push(item);
  }
  return [...byStage].sort(([a], [b]) => a - b).map(([, group]) => group);
}
