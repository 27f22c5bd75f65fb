import type { Tenant } from '@hookbox/core'
import type { CommandSpec } from '../command.js'
import { keyValue, table, time } from '../format.js'
import { str } from '../values.js'

function tenantTable(tenants: Tenant[]): string {
  return table(tenants, [
    { header: 'tenant', cell: (t) => t.tenant },
    { header: 'status', cell: (t) => (t.enabled ? 'enabled' : `disabled${t.disabledReason ? `: ${t.disabledReason}` : ''}`) },
    { header: 'updated', cell: (t) => time(t.updatedAt) },
  ])
}

/** `tenants list|disable|enable|purge`. */
export const tenantCommands: CommandSpec[] = [
  {
    path: ['tenants', 'list'],
    summary: 'List tenants (those with endpoints, or disabled) and whether they are sent to',
    arity: { min: 0, max: 0 },
    options: {},
    async run({ outbox }) {
      const tenants = await outbox.tenants.list()
      return { json: { tenants }, text: tenantTable(tenants) }
    },
  },
  {
    path: ['tenants', 'disable'],
    args: '<tenant>',
    summary: "Suspend a tenant: nothing is sent to its endpoints; what it is owed waits up to its policy's end",
    arity: { min: 1, max: 1 },
    options: { reason: { type: 'string', value: '<text>', description: 'why (default "disabled by request")' } },
    async run({ outbox, args, options }) {
      const reason = str(options.reason)
      const tenant = await outbox.tenants.disable(args[0]!, reason === undefined ? {} : { reason })
      return { json: { tenant }, text: `disabled tenant ${tenant.tenant}` }
    },
  },
  {
    path: ['tenants', 'enable'],
    args: '<tenant>',
    summary: 'Resume a tenant: what waited goes out',
    arity: { min: 1, max: 1 },
    options: {},
    async run({ outbox, args, wake }) {
      const tenant = await outbox.tenants.enable(args[0]!)
      await wake()
      return { json: { tenant }, text: `enabled tenant ${tenant.tenant}` }
    },
  },
  {
    path: ['tenants', 'purge'],
    args: '<tenant>',
    summary: 'Delete every endpoint, message, delivery, attempt and result of a tenant, for good',
    arity: { min: 1, max: 1 },
    options: {},
    async run({ outbox, args }) {
      const purged = await outbox.tenants.purge(args[0]!)
      return { json: { purged }, text: keyValue(Object.entries(purged)) }
    },
  },
]
