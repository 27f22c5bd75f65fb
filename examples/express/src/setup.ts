import {
  createOutbox,
  createSecurity,
  policies,
  successRules,
  type Clock,
  type Outbox,
  type OutboxSecurity,
  type Store,
} from '@hookbox/core'
import type { OAuth2AuthInput } from '@hookbox/core'
import { ATTESTR_EVENTS } from './attestr.js'
import { COLLECTIONS } from './collections.js'
import { V1_TYPES } from './frankieone-v1.js'
import { V2_TYPE_PREFIX, V2_FUNCTIONS } from './frankieone-v2.js'
import { INCODE_TYPE } from './incode.js'

export { COLLECTIONS }

/** Options of {@link createKycOutbox}. */
export interface KycOutboxOptions {
  store: Store
  /** PKCS#8 PEM, RSA-4096: signs FrankieOne v2 JWTs (`iss: one.frankie.api`). */
  jwtPrivateKey: string
  /** 32 bytes (base64/hex) encrypting endpoint secrets at rest: Attestr tokens, OAuth2 client secrets. */
  encryptionKey: string
  /** Allow `http://` receivers on loopback (the local receiver, tests). */
  allowLocalReceivers?: boolean
  clock?: Clock
}

/** The outbox this service uses, and its security (whose `jwks()` the app publishes). */
export function createKycOutbox(o: KycOutboxOptions): { outbox: Outbox; security: OutboxSecurity } {
  const security = createSecurity({
    encryptionKey: o.encryptionKey,
    jwt: { privateKey: o.jwtPrivateKey, issuer: 'one.frankie.api' },
    ...(o.allowLocalReceivers ? { ssrf: { allow: ['127.0.0.1', '::1', 'localhost'] } } : {}),
  })
  // The outbox shares its clock and allowHttp with the security object.
  const outbox = createOutbox({
    store: o.store,
    security,
    http: { allowHttp: o.allowLocalReceivers ?? false },
    ...(o.clock ? { clock: o.clock } : {}),
    // Only the event types this service knows; anything else is a programming error at notify().
    eventTypes: [...Object.values(V1_TYPES), ...V2_FUNCTIONS.map((f) => `${V2_TYPE_PREFIX}${f}`), ...ATTESTR_EVENTS, INCODE_TYPE],
  })
  return { outbox, security }
}

/**
 * Where one customer's webhooks go, for each platform; Attestr endpoints are registered at
 * runtime by the customer itself (`POST /webhooks`).
 */
export interface ReceiverSetup {
  /** FrankieOne v1: URLs per collection (several per collection for majority delivery). */
  frankieOneV1?: Partial<Record<keyof typeof COLLECTIONS.v1, string[]>>
  /** FrankieOne v2: URLs, optionally narrowed to some functions (e.g. `['WORKFLOW_COMPLETE']`). */
  frankieOneV2?: Array<{ url: string; functions?: string[] }>
  /** Incode: URL, OAuth2 (client credentials or static token) and custom headers that are not secret. */
  incode?: Array<{ url: string; auth: OAuth2AuthInput; publicHeaders?: Record<string, string> }>
}

/**
 * Creates the collections (platform-wide, idempotent) and, for each customer (tenant → its
 * receivers), the endpoints not yet registered, so a restarted server keeps what is in its
 * database. Each customer's endpoints receive only that customer's events.
 */
export async function configure(outbox: Outbox, customers: Record<string, ReceiverSetup> = {}): Promise<void> {
  await outbox.migrate()
  // FrankieOne v1: three collections, majority delivery, every 15 minutes up to 50 retries.
  for (const [name, type] of [
    [COLLECTIONS.v1.FUNCTION, V1_TYPES.FUNCTION],
    [COLLECTIONS.v1.EVENT, V1_TYPES.EVENT],
    [COLLECTIONS.v1.RESULT, V1_TYPES.RESULT],
  ] as const)
    await outbox.collections.upsert({
      name,
      events: [type],
      policy: policies.fixed(),
      failureMode: 'majority',
      success: successRules.frankieOne(),
    })
  // FrankieOne v2: immediate first retry, then exponential, 50 attempts within 24 h; 400 stops.
  await outbox.collections.upsert({
    name: COLLECTIONS.v2,
    events: [`${V2_TYPE_PREFIX}*`],
    policy: policies.exponential(),
    success: successRules.frankieOne(),
  })
  // Attestr: once, 5 s timeout, 200 only; the polling API is the fallback.
  await outbox.collections.upsert({
    name: COLLECTIONS.attestr,
    events: [...ATTESTR_EVENTS],
    policy: policies.fireOnce(),
    success: successRules.attestr(),
  })
  // Incode: 204, or 200 + JSON; retried otherwise; statuses of one interview in order (orderingKey).
  await outbox.collections.upsert({
    name: COLLECTIONS.incode,
    events: [INCODE_TYPE],
    policy: policies.exponential(),
    success: successRules.incode(),
  })

  for (const [tenant, setup] of Object.entries(customers)) await configureCustomer(outbox, tenant, setup)
}

/** The endpoints of one customer's `setup` that it does not have yet. */
async function configureCustomer(outbox: Outbox, tenant: string, setup: ReceiverSetup): Promise<void> {
  const known = new Set((await outbox.endpoints.list({ tenant })).map((e) => `${e.collection} ${e.url}`))
  const add = async (
    collection: string,
    url: string,
    rest: Omit<Parameters<Outbox['endpoints']['create']>[0], 'collection' | 'url' | 'tenant'>,
  ) => {
    if (known.has(`${collection} ${new URL(url).toString()}`)) return
    await outbox.endpoints.create({ tenant, collection, url, ...rest })
  }
  for (const [key, urls] of Object.entries(setup.frankieOneV1 ?? {}))
    for (const url of urls ?? []) await add(COLLECTIONS.v1[key as keyof typeof COLLECTIONS.v1], url, { appendRequestId: true })
  for (const e of setup.frankieOneV2 ?? [])
    await add(COLLECTIONS.v2, e.url, {
      appendRequestId: true,
      auth: { type: 'jwt' },
      ...(e.functions ? { events: e.functions.map((f) => `${V2_TYPE_PREFIX}${f}`) } : {}),
    })
  for (const e of setup.incode ?? []) await add(COLLECTIONS.incode, e.url, { auth: e.auth, publicHeaders: e.publicHeaders ?? {} })
}

/**
 * The `whsec_…` signing secret of every signed endpoint of `tenant`, for its receiver: every
 * webhook this service sends is signed. What a customer portal would show the customer,
 * through `endpoints.revealSecret`.
 */
export async function signingSecrets(outbox: Outbox, tenant: string): Promise<Array<{ url: string; secret: string }>> {
  const endpoints = (await outbox.endpoints.list({ tenant })).filter((e) => e.auth?.type !== 'none')
  return Promise.all(endpoints.map(async (e) => ({ url: e.url, secret: (await outbox.endpoints.revealSecret(e.id, { tenant })).secret })))
}
