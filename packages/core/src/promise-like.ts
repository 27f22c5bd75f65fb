/**
 * Whether a value that may be a promise is one (any thenable, not only a native Promise): a
 * hook answered synchronously is used at once, without an await and its turn of microtasks.
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
