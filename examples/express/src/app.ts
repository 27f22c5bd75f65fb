import express, { type ErrorRequestHandler, type Express } from 'express'
import { HookboxError, NotFoundError, ValidationError, type Outbox, type OutboxSecurity } from '@hookbox/core'
import { attestrRoutes } from './attestr.js'
import { HttpError, type AppContext } from './context.js'
import { requireCustomer, type CustomerDirectory } from './customers.js'
import type { HostDb } from './db.js'
import { frankieOneV1Routes } from './frankieone-v1.js'
import { frankieOneV2Routes } from './frankieone-v2.js'
import { incodeRoutes } from './incode.js'
import { BackgroundJobs } from './jobs.js'
import { opsRoutes } from './ops.js'
import { customerPortal } from './portal.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The outbox (see `createKycOutbox`); the app neither starts nor stops it. */
  outbox: Outbox
  /** The host's database, holding the outbox too. */
  db: HostDb
  /** API key → tenant: every platform route answers only the customer whose key it carries. */
  customers: CustomerDirectory
  /** Publishes the JWKS FrankieOne v2 receivers verify with. */
  security: OutboxSecurity
  /** Background work (default: a fresh {@link BackgroundJobs}). */
  jobs?: BackgroundJobs
  /** Bearer token guarding `/ops` (unset: open, for local demos only). */
  opsToken?: string
  /** Mount the customers' webhook portal at `/portal` (default true). */
  portal?: boolean
}

/**
 * The KYC-style service: FrankieOne v1/v2, Attestr and Incode routes over one outbox for many
 * customers (each calls with its API key and sees only its own records, webhooks and results),
 * plus `/ops` (the operator, every customer) and `/.well-known/jwks.json`. Returns an Express
 * app; `listen(0)` it in tests.
 */
export function createApp(options: AppOptions): Express {
  const ctx: AppContext = { outbox: options.outbox, db: options.db, jobs: options.jobs ?? new BackgroundJobs() }
  const app = express()
  app.disable('x-powered-by')
  // The portal reads its own request bodies: mounted before the JSON parser.
  if (options.portal !== false) app.use(customerPortal(options.outbox, options.customers))
  app.use(express.json({ limit: '256kb' }))

  app.get('/health', (_req, res) => {
    res.json({ ok: true, store: options.db.kind })
  })
  // FrankieOne's customer-specific public key, as a JWKS receivers can fetch.
  app.get('/.well-known/jwks.json', async (_req, res) => {
    res.json(await options.security.jwks())
  })
  app.use(opsRoutes(ctx, options.opsToken))
  // Everything below is a customer's: no API key, no answer.
  app.use(requireCustomer(options.customers))
  app.use(frankieOneV1Routes(ctx))
  app.use(frankieOneV2Routes(ctx))
  app.use(attestrRoutes(ctx))
  app.use(incodeRoutes(ctx))
  app.use((_req, _res, next) => next(new HttpError(404, 'NOT_FOUND', 'no such route')))
  app.use(errorHandler)
  return app
}

/** Maps typed errors to JSON answers: Hookbox validation → 400, not found → 404, the rest → 500. */
const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) return void res.status(err.status).json({ errorCode: err.code, errorMsg: err.message })
  if (err instanceof NotFoundError) return void res.status(404).json({ errorCode: err.code, errorMsg: err.message })
  if (err instanceof ValidationError || (err instanceof HookboxError && err.code === 'SSRF_BLOCKED'))
    return void res.status(400).json({ errorCode: err.code, errorMsg: err.message })
  if (typeof err?.status === 'number' && err.status < 500)
    return void res.status(err.status).json({ errorCode: 'BAD_REQUEST', errorMsg: err.message })
  console.error('request failed', err)
  res.status(500).json({ errorCode: 'INTERNAL', errorMsg: 'internal error' })
}
