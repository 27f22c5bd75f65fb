import type { CollectionRecord } from '@hookbox/core'
import { sql } from 'kysely'
import { collectionFromRow, collectionToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** Inserts or replaces a collection, keeping its creation time; returns it as stored. */
export function upsertCollection(x: SyncExecutor, { collection }: { collection: CollectionRecord }): CollectionRecord {
  const row = collectionToRow(collection)
  const { name: _name, created_at: _created, ...changes } = row
  x.run(
    x.qb
      .insertInto('hookbox_collections')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet(changes)),
  )
  return getCollection(x, { name: collection.name })!
}

/** One collection by name. */
export function getCollection(x: SyncExecutor, { name }: { name: string }): CollectionRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_collections').selectAll().where('name', '=', name))
  return r && collectionFromRow(r)
}

/** Every collection, by name. */
export function listCollections(x: SyncExecutor): CollectionRecord[] {
  return x.all(x.qb.selectFrom('hookbox_collections').selectAll().orderBy('name')).map(collectionFromRow)
}

/** Deletes a collection that has no endpoints; returns whether it did. */
export function deleteCollection(x: SyncExecutor, { name }: { name: string }): boolean {
  const q = x.qb
    .deleteFrom('hookbox_collections')
    .where('name', '=', name)
    .where((w) =>
      w.not(w.exists(w.selectFrom('hookbox_endpoints').select(sql.lit(1).as('one')).where('hookbox_endpoints.collection', '=', name))),
    )
  return x.run(q) > 0
}
