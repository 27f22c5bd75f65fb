import type { Migration } from '@hookbox/core'

/**
 * The ordering indexes led by the sequence instead of the tenant. Most rows have no ordering
 * key, so `(ordering_key, tenant, …)` put each new row at its tenant's place among the NULL keys:
 * with 10,000 tenants every insert, and every state or `expanded` change, dirtied a different
 * leaf page. With the tenant last, new rows append at the right edge of their
 * (key, collection, state) or (key, expanded) run, whatever the tenant (issue 13). The claim's
 * ordering checks still find their rows by key and a sequence range, the tenant checked in the
 * index. Neither index is unique; each table changes in one `ALTER TABLE` (atomic), so a run cut
 * short is finished by the next `migrate()`.
 */
export const orderingSeqMigration: Migration = {
  version: 8,
  name: 'ordering seq',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    return `
ALTER TABLE ${t('hookbox_deliveries')} DROP INDEX hookbox_deliveries_ordering,
  ADD KEY hookbox_deliveries_ordering_seq (ordering_key, collection, state, message_seq, tenant);
ALTER TABLE ${t('hookbox_messages')} DROP INDEX hookbox_messages_ordering,
  ADD KEY hookbox_messages_ordering_seq (ordering_key, expanded, seq, tenant);
`
  },
}
