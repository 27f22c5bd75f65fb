import { andThen, type SqlResult } from '@hookbox/core'
import type { Compilable, CompiledQuery } from 'kysely'

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>

/**
 * A store operation as a sequence of statements: a generator that yields each compiled
 * statement and receives its result. Written once, it runs synchronously on better-sqlite3
 * (which must never await inside its transaction) and asynchronously on a pool.
 */
export type Plan<T> = Generator<CompiledQuery, T, SqlResult>

/** Runs one statement: synchronously (SQLite) or not (a pool). */
export type Exec = (query: CompiledQuery) => MaybePromise<SqlResult>

/** Within a {@link Plan}: the rows of a select (`yield* rows(q)`), built or already compiled. */
export function* rows<R>(query: Compilable<R> | CompiledQuery<R>): Generator<CompiledQuery, R[], SqlResult> {
  return (yield 'compile' in query ? query.compile() : query).rows as R[]
}

/** Within a {@link Plan}: the first row of a select, or undefined. */
export function* one<R>(query: Compilable<R>): Generator<CompiledQuery, R | undefined, SqlResult> {
  return (yield* rows(query))[0]
}

/** Within a {@link Plan}: runs a write, built or already compiled, and returns how many rows it changed (or matched). */
export function* changes(query: Compilable<unknown> | CompiledQuery): Generator<CompiledQuery, number, SqlResult> {
  return (yield 'compile' in query ? query.compile() : query).affectedRows ?? 0
}

/**
 * Runs `plan`, each statement through `exec`. Stays synchronous for as long as `exec` does, so
 * a synchronous executor gets a plain value back; the first promise turns the rest async.
 */
export function drive<T>(plan: Plan<T>, exec: Exec): MaybePromise<T> {
  let step = plan.next()
  while (!step.done) {
    const result = exec(step.value)
    if (result instanceof Promise) return result.then((first) => finish(plan, exec, first))
    step = plan.next(result)
  }
  return step.value
}

async function finish<T>(plan: Plan<T>, exec: Exec, first: SqlResult): Promise<T> {
  let step = plan.next(first)
  while (!step.done) step = plan.next(await exec(step.value))
  return step.value
}

/** Runs one select through `exec` and maps each row. */
export function selectRows<R, T>(exec: Exec, query: Compilable<R>, map: (row: R) => T): MaybePromise<T[]> {
  return andThen(exec(query.compile()), (r) => (r.rows as R[]).map(map))
}

/** Runs one select through `exec` and maps its first row, if any. */
export function selectOne<R, T>(exec: Exec, query: Compilable<R>, map: (row: R) => T): MaybePromise<T | undefined> {
  return andThen(exec(query.compile()), (r) => {
    const [row] = r.rows as R[]
    return row === undefined ? undefined : map(row)
  })
}

/** Runs one write through `exec`; returns how many rows it changed (or matched). */
export function write(exec: Exec, query: Compilable<unknown>): MaybePromise<number> {
  return andThen(exec(query.compile()), (r) => r.affectedRows ?? 0)
}
