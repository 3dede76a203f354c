/**
 * A table's rows ↔ the store's records, declared once per table: each record field names its
 * column (snake_case of the field by default), a name checked on the way in, a JSON column
 * parsed on the way out, a group of columns for a nested value (a salted hash, an actor), a
 * nullable group that is null when its columns are. From that one declaration come the INSERT,
 * the reads and the updates the store modules (sqlite-*.ts, agents/sqlite-agents.ts) use, so
 * none of them repeats column lists or row mappers. Column names only ever come from these
 * declarations, never from callers.
 */
import type Database from 'better-sqlite3';
import { checkStoredName } from '../../shared/names.js';
import type { SaltedHash } from './store.js';

export type SqlValue = string | number | bigint | Buffer | null;
type Row = Record<string, unknown>;
type Params = Record<string, SqlValue>;

export interface Codec<V> {
  readonly columns: readonly string[];
  read: (row: Row) => V;
  write: (value: V, params: Params) => void;
}

/** How one field is stored, given the field's name (from which a column name may be derived). */
export type FieldSpec<V> = (field: string) => Codec<V>;
export type Fields<R> = { [K in keyof R]-?: FieldSpec<R[K]> };

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A value stored as it is (text, integer, blob, or null), in `name` or the field's snake_case. */
export function column<V extends SqlValue>(name?: string): FieldSpec<V> {
  return (field) => {
    const col = name ?? snakeCase(field);
    return {
      columns: [col],
      read: (row) => row[col] as V,
      write: (value, params) => void (params[col] = value),
    };
  };
}

/**
 * A name (src/shared/names.ts): written only when it already obeys the one rule the schemas
 * parse with, so that no path into the store can keep a name the API would refuse.
 */
export function name(what: string, col?: string): FieldSpec<string> {
  return (field) => {
    const plain = column<string>(col)(field);
    return { ...plain, write: (value, params) => plain.write(checkStoredName(value, what), params) };
  };
}

/** A JSON text column; `parse` checks what is read back (a hand-edited database cannot inject shapes). */
export function json<V>(parse: (value: unknown) => V, name?: string): FieldSpec<V> {
  return (field) => {
    const col = name ?? snakeCase(field);
    return {
      columns: [col],
      read: (row) => parse(JSON.parse(row[col] as string)),
      write: (value, params) => void (params[col] = JSON.stringify(value)),
    };
  };
}

export interface GroupCodec<V> extends Codec<V> {
  readonly byField: { [K in keyof V]-?: Codec<V[K]> };
}

/** A record's codec from its declaration, for a store on another engine (pg-assistances.ts). */
export function groupCodec<V extends object>(fields: Fields<V>): GroupCodec<V> {
  const byField = Object.fromEntries(
    Object.entries(fields).map(([field, spec]) => [field, (spec as FieldSpec<unknown>)(field)]),
  ) as GroupCodec<V>['byField'];
  const entries = Object.entries<Codec<unknown>>(byField as Record<string, Codec<unknown>>);
  return {
    byField,
    columns: entries.flatMap(([, codec]) => codec.columns),
    read: (row) => Object.fromEntries(entries.map(([field, codec]) => [field, codec.read(row)])) as V,
    write(value, params) {
      for (const [field, codec] of entries) codec.write((value as Record<string, unknown>)[field], params);
    },
  };
}

/** A nested value over several columns, each field naming its own. */
export function group<V extends object>(fields: Fields<V>): FieldSpec<V> {
  return () => groupCodec(fields);
}

/** Null when any of its columns is null; written as nulls when the value is null. */
export function nullable<V>(spec: FieldSpec<V>): FieldSpec<V | null> {
  return (field) => {
    const inner = spec(field);
    return {
      columns: inner.columns,
      read: (row) =>
        inner.columns.some((col) => row[col] === null || row[col] === undefined) ? null : inner.read(row),
      write(value, params) {
        if (value === null) for (const col of inner.columns) params[col] = null;
        else inner.write(value, params);
      },
    };
  };
}

/** A salted scrypt hash: `<prefix>salt`, `<prefix>hash`, scrypt_n, scrypt_r, scrypt_p. */
export function saltedHashFields(prefix = ''): Fields<SaltedHash> {
  return {
    salt: column(`${prefix}salt`),
    hash: column(`${prefix}hash`),
    scrypt: group({ N: column('scrypt_n'), r: column('scrypt_r'), p: column('scrypt_p') }),
  };
}

/** A statement run for its count of changed rows (deletes, conditional updates). */
export function changes(db: Database.Database, sql: string): (...params: unknown[]) => number {
  const statement = db.prepare(sql);
  return (...params) => statement.run(...params).changes;
}

export interface SqliteTable<R> {
  /** A row (as SELECT * gives it) as a record. */
  read: (row: unknown) => R;
  /**
   * INSERT of a whole record; `where` makes it INSERT … SELECT … WHERE (a conditional insert);
   * `omit` leaves out generated columns.
   */
  insert: <O extends keyof R = never>(opts?: {
    where?: string;
    omit?: readonly O[];
  }) => (record: Omit<R, O>) => Database.RunResult;
  /** The first row a query (of this table's rows) finds, as a record, or null. */
  one: (sql: string) => (...params: unknown[]) => R | null;
  /** Every row a query finds, as records. */
  all: (sql: string) => (...params: unknown[]) => R[];
  /** UPDATE of the `set` fields of the rows whose `where` fields are equal to the values given. */
  update: <S extends keyof R, W extends keyof R>(
    set: readonly S[],
    where: readonly W[],
  ) => (values: Pick<R, S | W>) => Database.RunResult;
}

export function sqliteTable<R extends object>(db: Database.Database, name: string, fields: Fields<R>): SqliteTable<R> {
  const record = groupCodec(fields);
  const codecOf = (field: keyof R): Codec<unknown> => {
    const codec = record.byField[field] as Codec<unknown> | undefined;
    if (!codec) throw new Error(`${name} has no field ${String(field)}`);
    return codec;
  };
  const paramsOf = (values: Partial<R>): Params => {
    const params: Params = {};
    for (const field of Object.keys(values) as Array<keyof R>) codecOf(field).write(values[field], params);
    return params;
  };
  const read = (row: unknown) => record.read(row as Row);
  return {
    read,
    insert<O extends keyof R = never>({ where, omit = [] }: { where?: string; omit?: readonly O[] } = {}) {
      const kept = (Object.keys(record.byField) as Array<keyof R>).filter(
        (f) => !(omit as readonly (keyof R)[]).includes(f),
      );
      const columns = kept.flatMap((f) => codecOf(f).columns);
      const values = columns.map((c) => `@${c}`).join(', ');
      const statement = db.prepare(
        `INSERT INTO ${name} (${columns.join(', ')}) ${where ? `SELECT ${values} WHERE ${where}` : `VALUES (${values})`}`,
      );
      return (r: Omit<R, O>) =>
        statement.run(paramsOf(Object.fromEntries(kept.map((f) => [f, (r as R)[f]])) as Partial<R>));
    },
    one(sql) {
      const statement = db.prepare(sql);
      return (...params) => {
        const row = statement.get(...params);
        return row === undefined ? null : read(row);
      };
    },
    all(sql) {
      const statement = db.prepare(sql);
      return (...params) => statement.all(...params).map(read);
    },
    update(set, where) {
      const assign = (fields: readonly (keyof R)[], separator: string) =>
        fields
          .flatMap((f) => codecOf(f).columns)
          .map((c) => `${c} = @${c}`)
          .join(separator);
      const statement = db.prepare(`UPDATE ${name} SET ${assign(set, ', ')} WHERE ${assign(where, ' AND ')}`);
      return (values) => statement.run(paramsOf(values as Partial<R>));
    },
  };
}
