/**
 * The actor graph: which actors run (module path + params) and the channels between their
 * ports. Validated at start-up; every problem names the field and the value that was wrong.
 *
 * @example
 * ```ts
 * const graph = parseGraphConfig({
 *   actors: [
 *     { id: 'ticker', module: 'actors/feed/demo-ticker.ts' },
 *     { id: 'spread-watch', module: 'actors/strategy/demo-spread-watch.ts', stopStage: 1, reloadable: true },
 *   ],
 *   channels: [{ from: 'ticker.md', to: ['spread-watch.md'], policy: 'conflate' }],
 * }, 'demo graph');
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { CHANNEL_POLICIES, TRANSPORTS } from '../transport/channel.js';
import { configError } from '../../base/config-errors.js';
import { arbiterError } from '../../base/errors.js';
import { DEFAULT_RESTART_POLICY } from '../supervision/restart-policy.js';
import { MAX_RING_CAPACITY, MIN_RING_CAPACITY } from '../transport/ring.js';
import { DEFAULT_WAIT_OPTIONS, WAIT_STRATEGIES, type WaitOptions } from '../transport/wait-strategy.js';

const NAME = /^[A-Za-z0-9_-]+$/;
const endpoint = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected "<actorId>.<port>"');

const waitSchema = z
  .object({
    strategy: z.enum(WAIT_STRATEGIES),
    spinMinUs: z.number().nonnegative(),
    spinMaxUs: z.number().nonnegative(),
    yieldIntervalUs: z.number().positive(),
    parkTimeoutMs: z.number().positive(),
    blockingParkMs: z.number().positive(),
  })
  .strict()
  .partial();

const restartSchema = z
  .object({
    maxRestarts: z.int().nonnegative(),
    withinMs: z.int().positive(),
    initialBackoffMs: z.int().nonnegative(),
    maxBackoffMs: z.int().nonnegative(),
  })
  .strict()
  .partial();

const actorSchema = z
  .object({
    id: z.string().regex(NAME, 'expected letters, digits, _ or -'),
    module: z.string().min(1, 'expected a module path'),
    params: z.unknown().optional(),
    wait: waitSchema.optional(),
    restart: restartSchema.optional(),
    /**
     * Hand this actor the full environment, secrets included (every other worker gets it minus
     * secrets). At most one actor, and its module must declare `credentials: true`.
     */
    credentials: z.boolean().optional(),
    /**
     * The actor owns I/O served by its event loop (sockets: feeds, execution), so it never
     * blocks its thread waiting on a ring: it parks through the event loop. Implied by
     * `credentials` (the credentialed actor places orders itself); default false (compute).
     */
    ownsIo: z.boolean().optional(),
    /**
     * Shutdown stage: every actor of stage 0 stops (after its inputs drained), then stage 1, and
     * so on; start-up runs the stages the other way round, so readers are up before writers.
     */
    stopStage: z.int().nonnegative().default(0),
    /** Past its restart limit this actor stops the whole system instead of staying down alone. */
    fatalOnEscalation: z.boolean().default(false),
    /** The supervisor may hot-reload it (its module can still refuse: `reloadable: false`). */
    reloadable: z.boolean().default(false),
  })
  .strict();

const capacity = z
  .int()
  .min(MIN_RING_CAPACITY)
  .max(MAX_RING_CAPACITY)
  .refine((n) => (n & (n - 1)) === 0, 'expected a power of two');

const targetSchema = z.union([
  endpoint,
  z.object({ endpoint, topics: z.array(z.string().min(1)).min(1) }).strict(),
]);

const channelSchema = z
  .object({
    from: endpoint,
    to: z.array(targetSchema).min(1),
    policy: z.enum(CHANNEL_POLICIES).default('lossless'),
    capacityBytes: capacity.default(1 << 20),
    transport: z.enum(TRANSPORTS).default('ring'),
    /** Decode validation at the reader; defaults: full for lossless, type-only for conflate. */
    validation: z.enum(['full', 'type']).optional(),
  })
  .strict();

const graphSchema = z
  .object({
    actors: z.array(actorSchema).min(1, 'expected at least one actor'),
    channels: z.array(channelSchema).default([]),
    defaults: z.object({ wait: waitSchema.optional(), restart: restartSchema.optional() }).strict().optional(),
  })
  .strict();

export type GraphConfigInput = z.input<typeof graphSchema>;
export type GraphConfig = z.output<typeof graphSchema>;
export type ActorConfig = GraphConfig['actors'][number];

/** Splits "actor.port". */
/** Where an actor's module is: a relative `module` is relative to `baseDir` (the project root for trading configs). */
export function actorModulePath(module: string, baseDir: string): string {
  return isAbsolute(module) ? module : resolve(baseDir, module);
}

export function splitEndpoint(value: string): { actor: string; port: string } {
  const dot = value.indexOf('.');
  return { actor: value.slice(0, dot), port: value.slice(dot + 1) };
}

/** Validates a graph; throws CONFIG_INVALID naming every bad field, then checks references. */
export function parseGraphConfig(input: unknown, source = 'actor graph'): GraphConfig {
  const result = graphSchema.safeParse(input);
  if (!result.success) throw configError(source, result.error, input);
  const graph = result.data;
  const problems = referenceProblems(graph);
  if (problems.length > 0) throw arbiterError('CONFIG_INVALID', `${source}:\n  ${problems.join('\n  ')}`, { details: { issues: problems } });
  return graph;
}

function referenceProblems(graph: GraphConfig): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  graph.actors.forEach((actor, i) => {
    if (ids.has(actor.id)) problems.push(`actors[${i}].id: duplicate actor id, got ${JSON.stringify(actor.id)}`);
    ids.add(actor.id);
  });
  const credentialed = graph.actors.filter((actor) => actor.credentials);
  if (credentialed.length > 1) problems.push(`actors: only one actor may have credentials, got ${credentialed.map((a) => a.id).join(', ')}`);
  graph.actors.forEach((actor, i) => {
    if (actor.credentials && actor.ownsIo === false) problems.push(`actors[${i}].ownsIo: actor ${actor.id} has credentials, so it places orders itself and owns I/O, got false`);
  });
  const pairs = new Set<string>();
  const inputPolicy = new Map<string, string>();
  graph.channels.forEach((channel, i) => {
    const from = splitEndpoint(channel.from);
    if (!ids.has(from.actor)) problems.push(`channels[${i}].from: no actor ${JSON.stringify(from.actor)}, got ${JSON.stringify(channel.from)}`);
    channel.to.forEach((target, j) => {
      const to = typeof target === 'string' ? target : target.endpoint;
      const { actor } = splitEndpoint(to);
      if (!ids.has(actor)) problems.push(`channels[${i}].to[${j}]: no actor ${JSON.stringify(actor)}, got ${JSON.stringify(to)}`);
      const pair = `${channel.from}→${to}`;
      if (pairs.has(pair)) problems.push(`channels[${i}].to[${j}]: ${pair} is wired twice`);
      pairs.add(pair);
      const policy = inputPolicy.get(to);
      if (policy !== undefined && policy !== channel.policy) {
        problems.push(`channels[${i}].policy: input ${to} already receives ${policy} channels, got ${JSON.stringify(channel.policy)}`);
      }
      inputPolicy.set(to, channel.policy);
    });
  });
  return problems;
}

/**
 * Effective wait options for an actor: built-in defaults ← graph defaults ← the actor's own,
 * plus whether it owns I/O (see `ownsIo` above; implied by credentials).
 */
export function waitOptionsFor(graph: GraphConfig, actor: ActorConfig): WaitOptions {
  return { ...DEFAULT_WAIT_OPTIONS, ...graph.defaults?.wait, ...actor.wait, ownsIo: actor.ownsIo ?? actor.credentials === true };
}

/** Effective restart policy for an actor. */
export function restartPolicyFor(graph: GraphConfig, actor: ActorConfig): typeof DEFAULT_RESTART_POLICY {
  return { ...DEFAULT_RESTART_POLICY, ...graph.defaults?.restart, ...actor.restart };
}
