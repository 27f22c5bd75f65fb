import { sql, type RawBuilder } from 'kysely'

/**
 * `ctid = ANY(tids)`, for rows whose addresses (`ctid`, as Postgres prints them: `(page,offset)`)
 * a statement read a moment before, bounded by the least and greatest of them so that the
 * planner can also read only the pages between (a TID range scan).
 *
 * Why both: the planner prices a TID scan at one random page read per address (100 addresses
 * cost as much as a sequential scan of about 400 pages), so alone it lost to a scan of the whole
 * table, which checks every row against the list, until the table passed some thousands of rows.
 * The bounds price the read by the pages the rows lie on; rows written together (a batch of
 * messages, in `seq` order) lie on a few neighbouring pages.
 */
export function atAddresses(tids: readonly string[]): RawBuilder<boolean> {
  let least = tids[0]!
  let greatest = least
  for (const tid of tids) {
    if (compareTids(tid, least) < 0) least = tid
    if (compareTids(tid, greatest) > 0) greatest = tid
  }
  return sql<boolean>`ctid = ANY(${tids}::tid[]) AND ctid BETWEEN ${least}::tid AND ${greatest}::tid`
}

/** Orders two row addresses by page, then offset. */
function compareTids(a: string, b: string): number {
  const [pa, oa] = parts(a)
  const [pb, ob] = parts(b)
  return pa - pb || oa - ob
}

const parts = (tid: string): [number, number] => {
  const comma = tid.indexOf(',')
  return [Number(tid.slice(1, comma)), Number(tid.slice(comma + 1, -1))]
}
