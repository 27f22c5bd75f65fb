/**
 * Continues with `next` at once when `value` is plain, or after it resolves when it is a
 * promise. Lets one store function serve both a synchronous (better-sqlite3) and an
 * asynchronous executor, so a synchronous `notify` stays synchronous.
 */
export function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value)
}
