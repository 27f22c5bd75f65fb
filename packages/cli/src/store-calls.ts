import type { Outbox } from '@hookbox/core'

// The CLI's only calls on the store itself; everything else goes through the outbox's admin API.
// Kept here so that a change of the store contract is a change of this file alone.

/** Tells dispatchers in other processes that there is work (Postgres NOTIFY); a no-op where the store has no wake-up. */
export async function wakeDispatchers(outbox: Outbox): Promise<void> {
  await outbox.store.queue.wake?.()
}

/** The store's name, e.g. `sqlite` or `postgres`. */
export function storeName(outbox: Outbox): string {
  return outbox.store.name
}
