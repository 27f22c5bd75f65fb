/**
 * Continues with `next` at once when `value` is plain, or after it resolves when it is a
 * promise. Lets one store function serve both a synchronous (better-sqlite3) and an
 * asynchronous executor, so a synchronous `notify` stays synchronous.
 */
export function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value)
}

/**
 * Whether a value that may be a promise is one (any thenable, not only a native Promise): a
 * hook answered synchronously is used at once, without an await and its turn of microtasks.
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
