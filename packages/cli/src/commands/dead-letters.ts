import type { DeliveryRecord, Outbox } from '@hookbox/core'
import type { CommandSpec } from '../command.js'
import { UsageError } from '../errors.js'
import { deliveryTable, page } from './deliveries.js'
import { tenantOption } from '../options.js'
import { isoDate, positiveInt, str, tenantScope } from '../values.js'

const isNotFound = (e: unknown) => (e as { code?: unknown } | null)?.code === 'NOT_FOUND'

/** Walks every dead letter matching the filter in pages, handing each page to `act`. */
async function eachPage(
  outbox: Outbox,
  filter: { collection?: string | undefined; tenant?: string },
  act: (page: DeliveryRecord[]) => Promise<number>,
): Promise<number> {
  let total = 0
  let after: string | undefined
  // Paging by id: letters that die again while this runs come after the cursor and are not acted on twice.
  for (;;) {
    const batch = await outbox.deadLetters.list({ ...filter, after, limit: 500 })
    if (batch.length === 0) return total
    after = batch.at(-1)!.id
    total += await act(batch)
  }
}

/** `dead-letters list|replay|purge`. */
export const deadLetterCommands: CommandSpec[] = [
  {
    path: ['dead-letters', 'list'],
    summary: 'List dead letters (deliveries whose retries ran out), oldest first',
    arity: { min: 0, max: 0 },
    options: {
      collection: { type: 'string', value: '<name>', description: 'only this collection' },
      endpoint: { type: 'string', value: '<id>', description: 'only dead letters to this endpoint (each mode)' },
      limit: { type: 'string', value: '<n>', description: 'at most n rows (default 100, at most 1000)' },
      after: { type: 'string', value: '<id>', description: 'page on: dead letters after this id (the "next" of --json)' },
      ...tenantOption,
    },
    async run({ outbox, options }) {
      const limit = positiveInt(options.limit, 'limit', 100)
      const deadLetters = await outbox.deadLetters.list({
        ...tenantScope(options),
        collection: str(options.collection),
        endpointId: str(options.endpoint),
        after: str(options.after),
        limit,
      })
      return { json: { deadLetters, next: page(deadLetters, limit) }, text: deliveryTable(deadLetters) }
    },
  },
  {
    path: ['dead-letters', 'replay'],
    args: '[<id>…]',
    summary: 'Send dead letters again with a fresh schedule (never to endpoints that acknowledged)',
    arity: { min: 0, max: Number.POSITIVE_INFINITY },
    options: {
      all: { type: 'boolean', description: 'replay every dead letter (instead of listing ids)' },
      collection: { type: 'string', value: '<name>', description: 'with --all: only this collection' },
      ...tenantOption,
    },
    async run({ outbox, options, args, wake }) {
      const collection = str(options.collection)
      if (options.all === args.length > 0) throw new UsageError('give dead letter ids or --all (not both)', 'dead-letters replay')
      if (collection && !options.all) throw new UsageError('--collection only goes with --all', 'dead-letters replay')
      let replayed = 0
      const notFound: string[] = []
      const scope = tenantScope(options)
      if (options.all)
        replayed = await eachPage(outbox, { collection, ...scope }, (batch) =>
          outbox.deadLetters.replayMany({ ...scope, ids: batch.map((d) => d.id) }),
        )
      else
        for (const id of args)
          try {
            await outbox.deadLetters.replay(id, scope)
            replayed++
          } catch (error) {
            if (!isNotFound(error)) throw error
            notFound.push(id)
          }
      if (replayed > 0) await wake()
      const text = `replayed ${replayed} dead letter${replayed === 1 ? '' : 's'}${notFound.length ? `\nnot dead letters (or not found): ${notFound.join(', ')}` : ''}`
      return {
        json: { replayed, notFound },
        text,
        ...(notFound.length ? { failure: `${notFound.length} id(s) are not dead letters: ${notFound.join(', ')}` } : {}),
      }
    },
  },
  {
    path: ['dead-letters', 'purge'],
    args: '[<id>…]',
    summary: 'Delete dead letters (with their attempt logs) for good',
    arity: { min: 0, max: Number.POSITIVE_INFINITY },
    options: {
      before: { type: 'string', value: '<date>', description: 'only those that died before this ISO 8601 date' },
      collection: { type: 'string', value: '<name>', description: 'only this collection' },
      all: { type: 'boolean', description: 'every dead letter (required when no id or filter is given)' },
      ...tenantOption,
    },
    async run({ outbox, options, args }) {
      const before = isoDate(options.before, 'before')
      const collection = str(options.collection)
      const scope = tenantScope(options)
      const filtered = before !== undefined || collection !== undefined
      const usage = (m: string) => new UsageError(m, 'dead-letters purge')
      if (args.length > 0 && (filtered || options.all)) throw usage('give dead letter ids, or filters/--all, not both')
      if (args.length === 0 && !filtered && !options.all && scope.tenant === undefined)
        throw usage('give dead letter ids, --before/--collection/--tenant, or --all to purge every dead letter')
      let purged: number
      if (args.length > 0) purged = await outbox.deadLetters.purge({ ...scope, ids: args })
      else if (!filtered) purged = await outbox.deadLetters.purge(scope)
      else
        purged = await eachPage(outbox, { collection, ...scope }, (batch) => {
          const ids = batch.filter((d) => before === undefined || (d.completedAt ?? d.updatedAt) < before).map((d) => d.id)
          return ids.length ? outbox.deadLetters.purge({ ...scope, ids }) : Promise.resolve(0)
        })
      const missing = args.length - purged
      return {
        json: { purged },
        text: `purged ${purged} dead letter${purged === 1 ? '' : 's'}`,
        ...(missing > 0 ? { failure: `${missing} of ${args.length} id(s) were not dead letters` } : {}),
      }
    },
  },
]
