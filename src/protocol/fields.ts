/**
 * Field kinds for message schemas, and the TypeScript types they map to.
 *
 * A schema is plain data (so the codec can derive msgpackr record structures from it and
 * validators can check decoded values) and the TypeScript types are derived from the same
 * data, so a field is declared exactly once.
 */

/** A scalar field kind. `?` means the value may be `null` (never `undefined`: records keep every key). */
export type ScalarKind = 'str' | 'num' | 'int' | 'bool' | 'str?' | 'num?' | 'num[]';

/** A string field restricted to a fixed set of values. */
export interface EnumKind<V extends string = string> {
  readonly enum: readonly V[];
}

/** A list of nested structs (for example the legs of a multi-leg order). */
export interface ListKind<S extends string = string> {
  readonly list: S;
}

export type FieldKind = ScalarKind | EnumKind | ListKind;

export type Fields = Readonly<Record<string, FieldKind>>;

/** Builds an enum kind while keeping the literal values for type derivation. */
export function oneOf<const V extends string>(...values: V[]): EnumKind<V> {
  return Object.freeze({ enum: Object.freeze(values) });
}

/** A list of the named nested struct. */
export function listOf<const S extends string>(struct: S): ListKind<S> {
  return Object.freeze({ list: struct });
}

type ScalarType<K> = K extends 'str'
  ? string
  : K extends 'num' | 'int'
    ? number
    : K extends 'bool'
      ? boolean
      : K extends 'str?'
        ? string | null
        : K extends 'num?'
          ? number | null
          : K extends 'num[]'
            ? number[]
            : never;

/** The value type of one field kind; `Structs` resolves nested list element types. */
export type KindType<K, Structs> = K extends EnumKind<infer V>
  ? V
  : K extends ListKind<infer S>
    ? S extends keyof Structs
      ? Structs[S][]
      : never
    : ScalarType<K>;

/** The object type described by a field table. */
export type FieldsType<F, Structs> = { -readonly [N in keyof F]: KindType<F[N], Structs> };
