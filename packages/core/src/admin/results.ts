import { ValidationError } from '../errors.js'
import { TOKEN } from '../message.js'
import type { SyncTransaction } from '../outbox.js'
import { isSyncHandle, toHostTransaction } from '../transaction/to-host-transaction.js'
import type { ResultRecord } from '../store/records.js'
import type { AdminContext } from './context.js'
import { scopeOf, type TenantScope } from './tenant-scope.js'

/** A stored response, as FrankieOne's `/retrieve/{requestId}` returns it. */
export interface StoredResult {
  status: number
  body: unknown
  createdAt: number
  expiresAt: number
}

/** Options of `outbox.results.put`. */
export interface ResultPutOptions extends TenantScope {
  /** How long to keep it; defaults to the outbox's `resultsTtlMs`. */
  ttlMs?: number
  /** The host's open transaction, as for `notify`. */
  transaction?: unknown
}

/**
 * The results cache (`outbox.results`): the status and body a background request would have
 * returned, kept by tenant and request id for `resultsTtlMs` (7 days by default), in the same
 * store. A result stored for one tenant is never returned for another (nor for no tenant).
 */
export class Results {
  readonly #ctx: AdminContext
  readonly #ttlMs: number
  constructor(ctx: AdminContext, ttlMs: number) {
    this.#ctx = ctx
    this.#ttlMs = ttlMs
  }

  /**
   * Stores (or replaces) the result of a request. Pass the host's `transaction` (as for
   * `notify`) so the result commits with the change and the webhooks that announce it; with a
   * better-sqlite3 `Database` it is written before `put` returns and returned directly.
   * Bad input throws before anything is written.
   */
  put<O extends ResultPutOptions = ResultPutOptions>(
    requestId: string,
    result: { status: number; body: unknown },
    options?: O,
  ): O extends { transaction: SyncTransaction } ? StoredResult : Promise<StoredResult> {
    if (typeof requestId !== 'string' || !TOKEN.test(requestId)) throw new ValidationError(`invalid requestId ${JSON.stringify(requestId)}`)
    const tenant = scopeOf(options) ?? null
    if (!Number.isInteger(result?.status) || result.status < 100 || result.status > 599)
      throw new ValidationError(`status must be an HTTP status code, got ${result?.status}`)
    let body: unknown
    try {
      body = JSON.parse(JSON.stringify(result.body ?? null))
    } catch (err) {
      throw new ValidationError(`result body is not JSON-serialisable: ${(err as Error).message}`, 'PAYLOAD_NOT_SERIALIZABLE')
    }
    const ttl = options?.ttlMs ?? this.#ttlMs
    if (!(ttl > 0)) throw new ValidationError(`ttlMs must be > 0, got ${ttl}`)
    const now = this.#ctx.clock.now()
    const record: ResultRecord = { requestId, tenant, status: result.status, body, createdAt: now, expiresAt: now + ttl }
    const stored: StoredResult = { status: record.status, body, createdAt: now, expiresAt: record.expiresAt }
    if (isSyncHandle(options?.transaction)) {
      this.#ctx.store.housekeeping.putResult({ result: record, transaction: toHostTransaction(options?.transaction) })
      return stored as never
    }
    return (async () => {
      await this.#ctx.store.housekeeping.putResult({ result: record, transaction: toHostTransaction(options?.transaction) })
      return stored
    })() as never
  }

  /**
   * The result stored for this tenant (`tenant` omitted or null: the one stored with no tenant),
   * or undefined when there is none or it has expired.
   */
  async get(requestId: string, options?: TenantScope): Promise<StoredResult | undefined> {
    const tenant = scopeOf(options) ?? null
    if (typeof requestId !== 'string' || !TOKEN.test(requestId)) return undefined
    const r = await this.#ctx.store.housekeeping.getResult({ requestId, tenant, now: this.#ctx.clock.now() })
    return r && { status: r.status, body: r.body, createdAt: r.createdAt, expiresAt: r.expiresAt }
  }
}
