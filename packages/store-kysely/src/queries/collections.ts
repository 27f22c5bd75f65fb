import { andThen, type CollectionRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { selectOne, selectRows, write, type MaybePromise } from '../plan.js'

/** Inserts or replaces a collection, keeping its creation time; returns it as stored. */
export function upsertCollection(d: KyselyDialect, { collection }: { collection: CollectionRecord }): MaybePromise<CollectionRecord> {
  const row = d.rows.collectionToRow(collection)
  const { name: _name, created_at: _created, ...changes } = row
  const upsert = d.upsert(d.qb.insertInto('hookbox_collections').values(row), ['name'], changes)
  return andThen(write(d.exec, upsert), () => andThen(getCollection(d, { name: collection.name }), (c) => c!))
}

/** One collection by name. */
export function getCollection(d: KyselyDialect, { name }: { name: string }): MaybePromise<CollectionRecord | undefined> {
  return selectOne(d.exec, d.qb.selectFrom('hookbox_collections').selectAll().where('name', '=', name), d.rows.collectionFromRow)
}

/** Every collection, by name. */
export function listCollections(d: KyselyDialect): MaybePromise<CollectionRecord[]> {
  return selectRows(d.exec, d.qb.selectFrom('hookbox_collections').selectAll().orderBy('name'), d.rows.collectionFromRow)
}

/** Deletes a collection that has no endpoints; returns whether it did. */
export function deleteCollection(d: KyselyDialect, { name }: { name: string }): MaybePromise<boolean> {
  const q = d.qb
    .deleteFrom('hookbox_collections')
    .where('name', '=', name)
    .where((w) =>
      w.not(w.exists(w.selectFrom('hookbox_endpoints').select(sql.lit(1).as('one')).where('hookbox_endpoints.collection', '=', name))),
    )
  return andThen(write(d.exec, q), (n) => n > 0)
}
