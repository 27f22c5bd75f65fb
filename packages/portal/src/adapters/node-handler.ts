import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { createRequest, createRequestListener, sendResponse } from '@remix-run/node-fetch-server'
import type { Portal } from '../portal-options.js'

/**
 * The portal as a `node:http` request listener.
 *
 * @example
 * ```ts
 * http.createServer(toNodeHandler(portal)).listen(3000)
 * ```
 */
export function toNodeHandler(portal: Portal): RequestListener {
  return createRequestListener(portal)
}

/** What the Express adapter reads of Express's request (no express dependency). */
export type ExpressLikeRequest = IncomingMessage & {
  /** The URL before Express stripped the mount path. */
  originalUrl?: string
}

/** An Express (or Connect) middleware: `(req, res, next)`. */
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ServerResponse, next: (error?: unknown) => void) => void

/**
 * The portal as Express middleware. Mount it at the portal's base path before any body parser
 * (it reads the request body itself): `app.use('/portal', toExpressHandler(portal))`.
 * Requests outside the base path go to `next()`.
 */
export function toExpressHandler(portal: Portal): ExpressMiddleware {
  return (req, res, next) => {
    const url = req.originalUrl ?? req.url ?? '/'
    const path = url.split('?')[0]!
    if (path !== portal.basePath && !path.startsWith(`${portal.basePath}/`)) return next()
    const mounted = req.url
    req.url = url
    let request: Request
    try {
      request = createRequest(req, res)
    } finally {
      req.url = mounted
    }
    portal(request)
      .then((response) => sendResponse(res, response))
      .catch(next)
  }
}
