import { AssertionError } from 'node:assert'

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 10): Promise<T> {
  const until = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > until)
      throw new AssertionError({ message: `condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}` })
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
