import type { Outbox, OutboxStats, ProcessCounters } from '@hookbox/core'
import type { CommandSpec } from '../command.js'
import { storeName } from '../store-calls.js'
import { storeMigrationSql } from '../store-openers.js'
import { duration, keyValue, time } from '../format.js'
import { tenantOption } from '../options.js'
import { durationMs, tenantScope } from '../values.js'

// A one-shot CLI process has sent nothing: its own counters (attempts, latency…) are all zero,
// so only the counts shared through the database are shown.
const PROCESS_ONLY = [
  'since',
  'attempts',
  'completed',
  'retries',
  'unrouted',
  'endpointsDisabled',
  'errors',
  'latency',
] as const satisfies ReadonlyArray<keyof ProcessCounters>

/** `outbox.stats()` without this process's counters. */
async function sharedStats(outbox: Outbox, scope: { tenant?: string }): Promise<Partial<OutboxStats>> {
  const stats: Partial<OutboxStats> = { ...(await outbox.stats(scope)) }
  for (const k of PROCESS_ONLY) delete stats[k]
  return stats
}

/** Readable values: ages and durations (`…Ms`) also humanised, times (`…At`) as ISO. */
function readable(stats: object): Array<[string, unknown]> {
  return Object.entries(stats).map(([k, v]) => {
    if (typeof v === 'number' && /Ms$/.test(k)) return [k, `${duration(v)} (${v})`]
    if (typeof v === 'number' && (k === 'at' || /At$/.test(k))) return [k, time(v)]
    return [k, v]
  })
}

/** `purge`, `stats`, `migrate`. */
export const maintenanceCommands: CommandSpec[] = [
  {
    path: ['purge'],
    summary: 'Delete finished deliveries, messages and results past retention now; prints counts',
    arity: { min: 0, max: 0 },
    options: {
      keep: {
        type: 'string',
        value: '<duration>',
        description: 'keep finished records this long, e.g. 7d, 12h (default 7d, as the dispatcher)',
      },
    },
    retention: (options) => {
      const keepFinishedMs = durationMs(options.keep, 'keep')
      return keepFinishedMs === undefined ? {} : { keepFinishedMs }
    },
    async run({ outbox }) {
      const counts = await outbox.purge()
      return { json: { purged: counts }, text: keyValue(Object.entries(counts)) }
    },
  },
  {
    path: ['stats'],
    summary: 'Show pending, due, in-flight and dead counts, the oldest pending age and endpoint health',
    arity: { min: 0, max: 0 },
    options: { ...tenantOption },
    async run({ outbox, options }) {
      const stats = await sharedStats(outbox, tenantScope(options))
      return { json: { stats }, text: keyValue(readable(stats)) }
    },
  },
  {
    path: ['migrate'],
    summary: "Create or upgrade Hookbox's tables (creates the SQLite file if missing); safe to repeat",
    arity: { min: 0, max: 0 },
    options: {
      'print-sql': {
        type: 'boolean',
        description: "print the store's full schema SQL for your own migration tool, without connecting",
      },
    },
    creates: true,
    async offline({ options, target, schema, cwd }) {
      if (options['print-sql'] !== true) return undefined
      const sql = await storeMigrationSql(target, cwd, schema)
      return { json: { store: target.kind, sql }, text: sql.trimEnd() }
    },
    async run({ outbox }) {
      await outbox.migrate()
      const store = storeName(outbox)
      return { json: { migrated: true, store }, text: `migrated (${store})` }
    },
  },
]
