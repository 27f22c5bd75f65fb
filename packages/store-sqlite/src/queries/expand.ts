import type { ExpandRequest, ExpandResult } from '@hookbox/core'
import { expandMessages as expandPlan, type KyselyDialect, type MaybePromise } from '@hookbox/store-kysely'

/**
 * Expands up to `limit` messages in ONE IMMEDIATE transaction: SQLite's write lock stands in
 * for SKIP LOCKED (one expansion at a time); the statements are the shared ones.
 */
export function expandMessages(d: KyselyDialect, request: ExpandRequest): MaybePromise<ExpandResult> {
  return d.transaction(expandPlan(d, request))
}
