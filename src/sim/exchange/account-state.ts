/**
 * An account as plain data and back (for the world file, see ../world-state.ts). Generic over the
 * account's fields on purpose: every Map becomes its entries and every array a copy, so a field
 * the account gains later (another wallet, another history) is saved and restored without this
 * file having to learn about it.
 */
import type { Account } from './account.js';

export type AccountState = Readonly<Record<string, unknown>>;

interface MapField {
  readonly map: [unknown, unknown][];
}

const isMapField = (value: unknown): value is MapField => typeof value === 'object' && value !== null && Array.isArray((value as MapField).map);

export function accountState(account: Account): AccountState {
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(account)) {
    if (value instanceof Map) state[key] = { map: [...value] } satisfies MapField;
    else if (Array.isArray(value)) state[key] = [...value];
    else if (typeof value !== 'function') state[key] = value;
  }
  return state;
}

/** Overwrites `account`'s fields with `state`'s (fields the state lacks keep their starting values). */
export function restoreAccount(account: Account, state: AccountState): void {
  const target = account as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(state)) {
    const current = target[key];
    if (current instanceof Map && isMapField(value)) {
      current.clear();
      for (const [k, v] of value.map) current.set(k, v);
    } else if (Array.isArray(current) && Array.isArray(value)) current.splice(0, current.length, ...(value as unknown[]));
    else if (typeof current !== 'function' && !(current instanceof Map) && !Array.isArray(current)) target[key] = value;
  }
}
