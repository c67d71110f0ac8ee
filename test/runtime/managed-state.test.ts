/** The supervisor's per-actor state machine: what the table allows, and what it refuses by name. */
import { describe, expect, it } from 'vitest';
import { canMove, MANAGED_STATES, ManagedLifecycle, type ManagedState } from '../../src/runtime/supervision/managed-state.js';

/** Drives a fresh lifecycle along `path` (from starting). */
function along(path: readonly ManagedState[]): ManagedLifecycle {
  const lifecycle = new ManagedLifecycle('a1');
  for (const state of path) lifecycle.moveTo(state);
  return lifecycle;
}

describe('managed state table', () => {
  it.each([
    ['start, crash, restart, reload, roll back or swap, stop', ['running', 'restarting', 'running', 'reloading', 'running', 'stopping', 'stopped']],
    ['a restart that fails to start is another crash, then the limit', ['running', 'restarting', 'restarting', 'failed', 'stopping', 'stopped']],
    ['the old worker crashes mid-reload', ['running', 'reloading', 'restarting', 'running']],
    ['shutdown while still starting', ['stopping', 'stopped']],
    ['shutdown mid-reload', ['running', 'reloading', 'stopping', 'stopped']],
    ['shutdown while waiting to restart', ['running', 'restarting', 'stopping', 'stopped']],
  ] as const)('allows %s', (_what, path) => {
    expect(along(path).state).toBe(path.at(-1));
  });

  it.each([
    [['running', 'stopping', 'stopped'], 'running'],
    [['running', 'stopping'], 'running'],
    [['running', 'failed'], 'running'],
    [[], 'reloading'],
    [['running', 'reloading'], 'reloading'],
    [['running'], 'running'],
  ] as const)('after %j refuses %s, naming the actor, from and to', (path, to) => {
    const lifecycle = along(path);
    const from = lifecycle.state;
    expect(() => lifecycle.moveTo(to)).toThrow(new RegExp(`ACTOR_STATE: actor a1: supervisor state cannot go from ${from} to ${to}`));
    expect(lifecycle.state).toBe(from);
  });

  it('lets every state but the final one reach stopped, and nothing leave it', () => {
    for (const state of MANAGED_STATES) {
      if (state === 'stopping' || state === 'stopped') continue;
      expect(canMove(state, 'stopping'), state).toBe(true);
    }
    expect(MANAGED_STATES.filter((to) => canMove('stopped', to))).toEqual([]);
    expect(MANAGED_STATES.filter((to) => canMove('stopping', to))).toEqual(['stopped']);
    expect(along(['running']).is('running', 'reloading')).toBe(true);
    expect(along(['running']).is('reloading')).toBe(false);
  });
});
