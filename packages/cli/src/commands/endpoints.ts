import type { Endpoint } from '@hookbox/core'
import type { CommandSpec } from '../command.js'
import { UsageError } from '../errors.js'
import { keyValue, table, time } from '../format.js'
import { tenantOption } from '../options.js'
import { str, tenantScope } from '../values.js'

/** Whether an endpoint is sent to, and why not. */
function status(e: Endpoint, now: number): string {
  if (!e.enabled) return `disabled${e.disabledReason ? `: ${e.disabledReason}` : ''}`
  if (e.pausedUntil !== null && e.pausedUntil > now) return `paused until ${time(e.pausedUntil)}`
  return e.failingSince !== null ? `failing since ${time(e.failingSince)}` : 'ok'
}

function endpointTable(endpoints: Endpoint[]): string {
  const now = Date.now()
  return table(endpoints, [
    { header: 'id', cell: (e) => e.id },
    { header: 'tenant', cell: (e) => e.tenant },
    { header: 'collection', cell: (e) => e.collection },
    { header: 'url', cell: (e) => e.url },
    { header: 'status', cell: (e) => status(e, now) },
    { header: 'description', cell: (e) => e.description },
  ])
}

function detail(e: Endpoint): string {
  return keyValue([
    ['id', e.id],
    ['tenant', e.tenant],
    ['collection', e.collection],
    ['url', e.url],
    ['status', status(e, Date.now())],
    ['auth', e.auth], // redacted by the admin API
    ['updated', time(e.updatedAt)],
  ])
}

/** `endpoints list|enable|disable`. */
export const endpointCommands: CommandSpec[] = [
  {
    path: ['endpoints', 'list'],
    summary: 'List endpoints (secrets redacted)',
    arity: { min: 0, max: 0 },
    options: {
      collection: { type: 'string', value: '<name>', description: 'only endpoints of this collection' },
      enabled: { type: 'boolean', description: 'only enabled endpoints' },
      disabled: { type: 'boolean', description: 'only disabled endpoints' },
      ...tenantOption,
    },
    async run({ outbox, options }) {
      if (options.enabled && options.disabled) throw new UsageError('give --enabled or --disabled, not both', 'endpoints list')
      const enabled = options.enabled ? true : options.disabled ? false : undefined
      const endpoints = await outbox.endpoints.list({
        ...tenantScope(options),
        collection: str(options.collection),
        ...(enabled === undefined ? {} : { enabled }),
      })
      return { json: { endpoints }, text: endpointTable(endpoints) }
    },
  },
  {
    path: ['endpoints', 'enable'],
    args: '<id>',
    summary: 'Enable an endpoint (resets its circuit breaker); deliveries that waited go out',
    arity: { min: 1, max: 1 },
    options: { ...tenantOption },
    async run({ outbox, args, options, wake }) {
      const endpoint = await outbox.endpoints.enable(args[0]!, tenantScope(options))
      await wake()
      return { json: { endpoint }, text: `enabled endpoint ${endpoint.id}\n\n${detail(endpoint)}` }
    },
  },
  {
    path: ['endpoints', 'disable'],
    args: '<id>',
    summary: 'Disable an endpoint; deliveries owed to it wait until it is enabled',
    arity: { min: 1, max: 1 },
    options: {
      reason: { type: 'string', value: '<text>', description: 'why (kept with the endpoint; default "disabled by request")' },
      ...tenantOption,
    },
    async run({ outbox, args, options }) {
      const endpoint = await outbox.endpoints.disable(args[0]!, str(options.reason), tenantScope(options))
      return { json: { endpoint }, text: `disabled endpoint ${endpoint.id}\n\n${detail(endpoint)}` }
    },
  },
]
