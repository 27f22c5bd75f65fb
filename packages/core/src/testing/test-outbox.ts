import { createOutbox, ManualClock, type Outbox, type OutboxOptions, type Store } from '../index.js'

/** Options every test outbox needs to reach receivers on 127.0.0.1. */
export const localReceivers: Pick<OutboxOptions, 'http' | 'security'> = {
  http: { allowHttp: true },
  security: { ssrf: { allow: ['127.0.0.1', '::1', 'localhost'] } },
}

/** An outbox on `store` with a manual clock, allowed to call local test receivers. */
export function testOutbox(store: Store, extra: Partial<OutboxOptions> = {}): { outbox: Outbox; clock: ManualClock } {
  const clock = extra.clock instanceof ManualClock ? extra.clock : new ManualClock()
  const outbox = createOutbox({ ...localReceivers, ...extra, store, clock, http: { ...localReceivers.http, ...extra.http } })
  return { outbox, clock }
}
