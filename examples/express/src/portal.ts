import { randomBytes } from 'node:crypto'
import express, { type Router } from 'express'
import type { Outbox } from '@hookbox/core'
import { ALL_PERMISSIONS, createPortal, toExpressHandler } from '@hookbox/portal'
import { COLLECTIONS } from './collections.js'
import { API_KEY_HEADER, type CustomerDirectory } from './customers.js'

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Webhooks</title><link rel="stylesheet" href="/portal/assets/portal.css"></head>
<body><main><h1>Sign in to your webhooks</h1>
<form class="form" method="post" action="/portal/login">
<div class="field"><label for="key">API key</label><input id="key" name="key" type="password" autocomplete="current-password"></div>
<div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form></main></body></html>`

/**
 * The customers' webhook portal at `/portal`: a customer signs in with its API key (a session
 * cookie is set), or an API client sends `x-api-key`; either maps to the customer's tenant
 * through the same {@link CustomerDirectory} as the service's own routes.
 * Customers manage their Attestr webhooks (the "webhooks dashboard") there.
 */
export function customerPortal(outbox: Outbox, customers: CustomerDirectory): Router {
  const sessions = new Map<string, string>()
  const tenantOf = (request: Request): string | null => {
    const key = request.headers.get(API_KEY_HEADER)
    if (key) return customers.tenantForKey(key) ?? null
    const sid = /(?:^|;\s*)portal_sid=([a-f0-9]{32})/.exec(request.headers.get('cookie') ?? '')?.[1]
    return (sid && sessions.get(sid)) || null
  }
  const portal = createPortal({
    outbox,
    basePath: '/portal',
    collections: [COLLECTIONS.attestr],
    title: 'KYC webhooks',
    authorize: (request) => {
      const tenant = tenantOf(request)
      return tenant ? { tenant, permissions: ALL_PERMISSIONS } : null
    },
    onAudit: (event) => console.info('audit', JSON.stringify(event)),
  })
  const router = express.Router()
  router.get('/portal/login', (_req, res) => void res.type('html').send(LOGIN_PAGE))
  router.post('/portal/login', express.urlencoded({ extended: false }), (req, res) => {
    const tenant = customers.tenantForKey(String(req.body?.key ?? ''))
    if (!tenant) return void res.status(401).type('text').send('unknown API key')
    const sid = randomBytes(16).toString('hex')
    sessions.set(sid, tenant)
    res.cookie('portal_sid', sid, { httpOnly: true, sameSite: 'strict', path: '/portal' }).redirect(303, '/portal/')
  })
  router.use(toExpressHandler(portal))
  return router
}
