import type { CollectionRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { collectionFromRow, collectionToRow } from '../rows.js'

/** Inserts or replaces a collection, keeping its creation time; returns it as stored. */
export async function upsertCollection(x: MysqlExecutor, { collection }: { collection: CollectionRecord }): Promise<CollectionRecord> {
  const row = collectionToRow(collection)
  const { name: _name, created_at: _created, ...changes } = row
  await x.run(x.qb.insertInto('hookbox_collections').values(row).onDuplicateKeyUpdate(changes))
  return (await getCollection(x, { name: collection.name }))!
}

/** One collection by name. */
export async function getCollection(x: MysqlExecutor, { name }: { name: string }): Promise<CollectionRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_collections').selectAll().where('name', '=', name))
  return r && collectionFromRow(r)
}

/** Every collection, by name. */
export async function listCollections(x: MysqlExecutor): Promise<CollectionRecord[]> {
  return (await x.all(x.qb.selectFrom('hookbox_collections').selectAll().orderBy('name'))).map(collectionFromRow)
}

/** Deletes a collection that has no endpoints; returns whether it did. */
export async function deleteCollection(x: MysqlExecutor, { name }: { name: string }): Promise<boolean> {
  const q = x.qb
    .deleteFrom('hookbox_collections')
    .where('name', '=', name)
    .where((w) =>
      w.not(w.exists(w.selectFrom('hookbox_endpoints').select(sql.lit(1).as('one')).where('hookbox_endpoints.collection', '=', name))),
    )
  return (await x.run(q)) > 0
}
