import type { CollectionRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { collectionFromRow, collectionToRow } from '../rows.js'

/** Inserts or replaces a collection, keeping its creation time; returns it as stored. */
export async function upsertCollection(x: PostgresExecutor, { collection }: { collection: CollectionRecord }): Promise<CollectionRecord> {
  const row = collectionToRow(collection)
  const { name: _name, created_at: _created, ...changes } = row
  const [saved] = await x.rows(
    x.tables
      .insertInto('collections')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet(changes))
      .returningAll(),
  )
  return collectionFromRow(saved!)
}

/** One collection by name. */
export async function getCollection(x: PostgresExecutor, { name }: { name: string }): Promise<CollectionRecord | undefined> {
  const [r] = await x.rows(x.tables.selectFrom('collections').selectAll().where('name', '=', name))
  return r && collectionFromRow(r)
}

/** Every collection, by name. */
export async function listCollections(x: PostgresExecutor): Promise<CollectionRecord[]> {
  return (await x.rows(x.tables.selectFrom('collections').selectAll().orderBy('name'))).map(collectionFromRow)
}

/** Deletes a collection that has no endpoints; returns whether it did. */
export async function deleteCollection(x: PostgresExecutor, { name }: { name: string }): Promise<boolean> {
  const q = x.tables
    .deleteFrom('collections')
    .where('name', '=', name)
    .where((w) => w.not(w.exists(w.selectFrom('endpoints').select(sql.lit(1).as('one')).where('endpoints.collection', '=', name))))
  return ((await x.run(q.compile())).affectedRows ?? 0) > 0
}
