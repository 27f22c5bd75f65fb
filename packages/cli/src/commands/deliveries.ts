import type { DeliveryDetail, DeliveryRecord } from '@hookbox/core'
import type { CommandSpec } from '../command.js'
import { UsageError } from '../errors.js'
import { keyValue, table, time } from '../format.js'
import { tenantOption } from '../options.js'
import { deliveryState, positiveInt, str, tenantScope } from '../values.js'

/** The delivery table shared by `deliveries list` and `dead-letters list`. */
export function deliveryTable(deliveries: DeliveryRecord[]): string {
  return table(deliveries, [
    { header: 'id', cell: (d) => d.id },
    { header: 'tenant', cell: (d) => d.tenant },
    { header: 'state', cell: (d) => d.state },
    { header: 'collection', cell: (d) => d.collection },
    { header: 'endpoint', cell: (d) => d.endpointId ?? `${d.targets.length} (majority)` },
    { header: 'attempts', cell: (d) => d.attempts },
    { header: 'next attempt', cell: (d) => time(d.nextAttemptAt) },
    { header: 'updated', cell: (d) => time(d.updatedAt) },
    { header: 'last error', cell: (d) => d.lastError },
  ])
}

/** `--json` pages carry the cursor for `--after` when the page was full. */
export function page<T extends { id: string }>(items: T[], limit: number): string | null {
  return items.length === limit ? items.at(-1)!.id : null
}

function showDelivery(d: DeliveryDetail): string {
  const summary = keyValue([
    ['id', d.id],
    ['tenant', d.tenant],
    ['state', d.state],
    ['collection', d.collection],
    ['failure mode', d.failureMode],
    ['targets', d.targets],
    ['progress', d.progress],
    ['attempts', d.attempts],
    ['next attempt', time(d.nextAttemptAt)],
    ['last error', d.lastError],
    ['created', time(d.createdAt)],
    ['completed', time(d.completedAt)],
    ['message.id', d.message.id],
    ['message.type', d.message.type],
    ['message.requestId', d.message.requestId],
    ['message.payload', `${Buffer.byteLength(d.message.payload)} bytes (see --json)`],
  ])
  const attempts = table(d.attemptLog, [
    { header: 'round', cell: (a) => a.round },
    { header: 'started', cell: (a) => time(a.startedAt) },
    { header: 'endpoint', cell: (a) => a.endpointId },
    { header: 'status', cell: (a) => a.statusCode },
    { header: 'outcome', cell: (a) => a.outcome },
    { header: 'latency', cell: (a) => `${a.latencyMs}ms` },
    { header: 'error', cell: (a) => a.error ?? a.responseSnippet },
  ])
  return `${summary}\n\nAttempts\n${attempts}`
}

/** `deliveries list|show`. */
export const deliveryCommands: CommandSpec[] = [
  {
    path: ['deliveries', 'list'],
    summary: 'List deliveries by request id, state or collection, oldest first',
    arity: { min: 0, max: 0 },
    options: {
      'request-id': { type: 'string', value: '<id>', description: 'deliveries raised by this request id' },
      state: { type: 'string', value: '<state>', description: 'pending, delivered, failed or dead' },
      collection: { type: 'string', value: '<name>', description: 'only this collection' },
      endpoint: { type: 'string', value: '<id>', description: 'only deliveries to this endpoint (each mode)' },
      limit: { type: 'string', value: '<n>', description: 'at most n rows (default 100, at most 1000)' },
      after: { type: 'string', value: '<id>', description: 'page on: deliveries after this id (the "next" of --json)' },
      ...tenantOption,
    },
    async run({ outbox, options }) {
      const limit = positiveInt(options.limit, 'limit', 100)
      const filter = {
        ...tenantScope(options),
        requestId: str(options['request-id']),
        state: deliveryState(options.state),
        collection: str(options.collection),
        endpointId: str(options.endpoint),
        after: str(options.after),
        limit,
      }
      const deliveries = await outbox.deliveries.list(filter)
      return { json: { deliveries, next: page(deliveries, limit) }, text: deliveryTable(deliveries) }
    },
  },
  {
    path: ['deliveries', 'show'],
    args: '<deliveryId>',
    summary: 'Show one delivery with its message and attempt log',
    arity: { min: 1, max: 1 },
    options: { ...tenantOption },
    async run({ outbox, args, options }) {
      if (!args[0]) throw new UsageError('a delivery id is required', 'deliveries show')
      const delivery = await outbox.deliveries.get(args[0], tenantScope(options))
      return { json: { delivery }, text: showDelivery(delivery) }
    },
  },
]
