import { expect } from 'vitest'

/** What {@link headOfLineReads} needs of a store: raw rows in its deliveries table, and a claim that counts what it reads. */
export interface HeadOfLineStore {
  /**
   * Inserts pending `each` deliveries with message sequences `from`…`to` (ids their number,
   * zero-padded to 8 digits) for `endpoint` (null: none, as `majority`), due at `dueAt`, leased
   * by no one, in an enabled collection.
   */
  insert(from: number, to: number, endpoint: string | null, dueAt: number): Promise<void>
  /**
   * Claims up to `limit` at time 10 skipping `skip`, with owner `o`; returns the ids it leased
   * in claim order and a load-independent count of what it read (rows, tuples, pages), then
   * takes the leases back.
   */
  claim(skip: string[], limit: number): Promise<{ ids: string[]; read: number }>
}

/**
 * A stuck endpoint `e2` with a due backlog of 2,000 then 20,000 deliveries ahead of everything
 * else in claim order, and another customer's deliveries due behind it: `e1` and `e3` (either
 * side of it in key order), one of no endpoint, and 40 endpoints with 25 each. Checks that a
 * claim skipping `e2` takes the others' in claim order at both sizes (and one skipping nothing
 * still takes `e2`'s first), and returns what the claim skipping `e2` read at each size.
 */
export async function headOfLineReads(store: HeadOfLineStore): Promise<number[]> {
  await store.insert(900_001, 900_001, 'e1', 5)
  await store.insert(900_002, 900_002, 'e3', 5)
  await store.insert(900_003, 900_003, null, 6)
  for (let e = 0; e < 40; e++) await store.insert(800_000 + e * 25, 800_024 + e * 25, `f${String(e).padStart(2, '0')}`, 7)
  const reads: number[] = []
  let seeded = 0
  for (const backlog of [2_000, 20_000]) {
    await store.insert(seeded + 1, backlog, 'e2', 1)
    seeded = backlog
    expect((await store.claim(['e2'], 2)).ids).toEqual(['00900001', '00900002'])
    expect((await store.claim(['e2', 'e3'], 4)).ids).toEqual(['00900001', '00900003', '00800000', '00800001'])
    const { ids, read } = await store.claim(['e2'], 5)
    expect(ids).toEqual(['00900001', '00900002', '00900003', '00800000', '00800001'])
    reads.push(read)
    expect((await store.claim([], 3)).ids).toEqual(['00000001', '00000002', '00000003'])
  }
  return reads
}
