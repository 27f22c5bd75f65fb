import type { EnqueueOutcome } from './queue-store.js'
import type { MessageRecord } from './records.js'

/** Which message holds an idempotency key after the store's key statement ran. */
export interface KeyOwner {
  /** The key's tenant: keys are scoped per tenant (null: none). */
  tenant: string | null
  key: string
  messageId: string
  requestId: string
}

/** How one batch is written; see {@link planEnqueue}. */
export interface EnqueuePlan {
  /** The batch without in-batch repeats of a key (the first message with a key wins). */
  written: MessageRecord[]
  /** Whether any written message carries a key (the store then runs its key statement). */
  keyed: boolean
  /** The written messages to insert: unkeyed ones and those that own their key. */
  toInsert(owners: readonly KeyOwner[]): MessageRecord[]
  /** One outcome per message of the batch, in order. */
  outcomes(owners: readonly KeyOwner[]): EnqueueOutcome[]
}

/**
 * Core's half of idempotency. The store's half is one atomic statement on its key table: claim
 * each key of `written`, taking it over when its holder was created before `idempotencySince`,
 * and return the owner of every key. A message owns its key when the returned owner is it;
 * otherwise it is a duplicate of the owner.
 */
export function planEnqueue(messages: readonly MessageRecord[]): EnqueuePlan {
  const firstByKey = new Map<string, MessageRecord>()
  const written: MessageRecord[] = []
  for (const m of messages) {
    if (m.idempotencyKey === null) written.push(m)
    else if (!firstByKey.has(scopedKey(m.tenant, m.idempotencyKey))) {
      firstByKey.set(scopedKey(m.tenant, m.idempotencyKey), m)
      written.push(m)
    }
  }
  return {
    written,
    keyed: firstByKey.size > 0,
    toInsert(owners) {
      const map = byKey(owners)
      return written.filter((m) => owns(m, firstByKey, map))
    },
    outcomes(owners) {
      const map = byKey(owners)
      return messages.map((m) => {
        const owner = m.idempotencyKey === null ? undefined : map.get(scopedKey(m.tenant, m.idempotencyKey))
        if (!owner || owns(m, firstByKey, map)) return { messageId: m.id, requestId: m.requestId, duplicate: false }
        return { messageId: owner.messageId, requestId: owner.requestId, duplicate: true }
      })
    },
  }
}

// Module functions, not closures of planEnqueue: it runs once per notify, on the host's hot path.

/** The owners by scoped key. */
function byKey(owners: readonly KeyOwner[]): Map<string, KeyOwner> {
  return new Map(owners.map((o) => [scopedKey(o.tenant, o.key), o]))
}

/** Whether `m` is written: it has no key, or it is the batch's first with its key and the key's owner. */
function owns(m: MessageRecord, firstByKey: Map<string, MessageRecord>, owners: Map<string, KeyOwner>): boolean {
  if (m.idempotencyKey === null) return true
  const key = scopedKey(m.tenant, m.idempotencyKey)
  return firstByKey.get(key) === m && owners.get(key)?.messageId === m.id
}

/** A key with its tenant, for maps: tokens never hold a space, so the pair is unambiguous. */
function scopedKey(tenant: string | null, key: string): string {
  return `${tenant ?? ''} ${key}`
}
