import { policies, type Outbox } from '@hookbox/core'
import { testOutbox, TestReceiver } from '@hookbox/core/testing'
import { sqliteStore } from '@hookbox/store-sqlite'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ALL_PERMISSIONS,
  createPortal,
  type Portal,
  type PortalAuditEvent,
  type PortalOptions,
  type PortalPermission,
} from '../src/index.js'

/** The portal's origin in the API tests (requests are built, not sent over a socket). */
export const ORIGIN = 'http://portal.test'

/** Example payloads the catalog shows and test sends carry. */
export const EXAMPLES = {
  'check.completed': { checkId: 'chk_1', result: 'clear' },
  'check.failed': { checkId: 'chk_2', reason: 'document unreadable' },
}

/**
 * A portal over a real SQLite file with a manual clock and a real receiver on 127.0.0.1. The
 * host's `authorize` reads the `x-session` header: `tenant;perm,perm` (no header: 401).
 * Collection `CHECKS` dead-letters on the first failure, `REPORTS` (fireOnce) ends `failed`.
 */
export async function portalFixture(extra: Partial<PortalOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hookbox-portal-'))
  const db = new Database(join(dir, 'app.db'))
  db.pragma('journal_mode = WAL')
  const { outbox, clock } = testOutbox(sqliteStore({ database: db }))
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'CHECKS', events: ['check.completed', 'check.failed'], policy: policies.fixed({ retries: 0 }) })
  await outbox.collections.upsert({ name: 'REPORTS', events: ['report.ready'], policy: policies.fireOnce() })
  const receiver = await TestReceiver.start()
  const audit: PortalAuditEvent[] = []
  const portal = createPortal({
    outbox,
    basePath: '/portal',
    clock,
    examples: EXAMPLES,
    onAudit: (e) => void audit.push(e),
    authorize: (request) => {
      const header = request.headers.get('x-session')
      if (!header) return null
      const [tenant, perms] = header.split(';')
      return { tenant: tenant!, permissions: (perms ? perms.split(',') : []) as PortalPermission[], actor: `user@${tenant}` }
    },
    ...extra,
  })
  return {
    outbox,
    clock,
    receiver,
    portal,
    audit,
    async cleanup() {
      await outbox.close()
      await receiver.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** How a test calls the portal: as which tenant with which permissions, and from which origin. */
export interface CallOptions {
  tenant?: string | null
  permissions?: readonly PortalPermission[]
  body?: unknown
  headers?: Record<string, string>
  /** The Origin header of a state-changing call (default: the portal's own; null: none). */
  origin?: string | null
}

/** Calls the portal's API at `path` (under /portal/api/v1) and returns the status and parsed body. */
export async function call(
  portal: Portal,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...o.headers }
  if (o.tenant !== null) headers['x-session'] = `${o.tenant ?? 'acme'};${(o.permissions ?? ALL_PERMISSIONS).join(',')}`
  const origin = o.origin === undefined ? ORIGIN : o.origin
  if (origin !== null && method !== 'GET') headers.origin = origin
  if (o.body !== undefined) headers['content-type'] ??= 'application/json'
  const response = await portal(
    new Request(`${ORIGIN}/portal/api/v1${path}`, {
      method,
      headers,
      ...(o.body !== undefined && { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }),
    }),
  )
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers }
}

/** Creates an endpoint for `tenant` through the portal and returns its id and secret. */
export async function createEndpoint(portal: Portal, receiver: TestReceiver, tenant: string, path = `/${tenant}`) {
  const r = await call(portal, 'POST', '/endpoints', {
    tenant,
    body: { url: `${receiver.url}${path}`, events: ['check.completed', 'check.failed'] },
  })
  if (r.status !== 201) throw new Error(`create failed: ${JSON.stringify(r.body)}`)
  return { id: r.body.data.id as string, secret: r.body.secret as string }
}

/** Runs dispatch passes until nothing is left due (the clock is manual: retries wait for it). */
export async function dispatch(outbox: Outbox): Promise<void> {
  let passes = 0
  while ((await outbox.drain()) > 0) if (++passes > 20) throw new Error('dispatch did not settle in 20 passes')
}
