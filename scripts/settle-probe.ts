// Probe for issue 13 (spread end-to-end, core's share): µs per call of core's settle() plus the
// write-back's serialization of its progress (store-kysely's outcomeValues), for an `each`
// delivery acked by one of the same 3 endpoint ids again and again against one of 30,000 distinct
// ids (10,000 tenants × 3), for each checkout given, interleaved rounds in one process:
//   tsx --conditions=hookbox-source scripts/settle-probe.ts [checkout …]   (default: this one)
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { collection, endpoint, message } from '../packages/core/src/testing/fixtures.js'

const here = resolve(fileURLToPath(import.meta.url), '../..')
const roots = process.argv.length > 2 ? process.argv.slice(2).map((r) => resolve(r)) : [here]
const engines = await Promise.all(
  roots.map(async (root) => ({
    root,
    settle: (await import(`${root}/packages/core/src/dispatcher/settle.ts`)).settle,
    outcomeValues: (await import(`${root}/packages/store-kysely/src/queries/outcome.ts`)).outcomeValues,
  })),
)
const col = collection({})
const msg = message({})
const endpoints = Array.from({ length: 30_000 }, (_, i) => endpoint({ id: `ep_${(1e12 + i * 7919).toString(36)}x${i}` }))
const ITERATIONS = 200_000

function run({ settle, outcomeValues }: (typeof engines)[number], ids: number): number {
  const t0 = performance.now()
  let bytes = 0
  for (let i = 0; i < ITERATIONS; i++) {
    const e = endpoints[i % ids]!
    // As a claimed row gives it: progress parsed from the row's '{}'.
    const delivery = {
      id: 'd',
      tenant: null,
      attempts: 0,
      progress: JSON.parse('{}'),
      targets: [e.id],
      failureMode: 'each',
      windowStart: 0,
    }
    const claim = { delivery, message: msg, collection: col, endpoints: [e], leaseToken: 't', tenantEnabled: true }
    const response = { status: 200, contentType: null, retryAfterMs: null, snippet: '' }
    const sent = [{ attemptId: 'a', endpoint: e, url: e.url, startedAt: 0, outcome: 'ack', result: { ok: true, latencyMs: 1, response } }]
    bytes += (outcomeValues(settle(claim, sent, [], 1).completion)[3] as string).length
  }
  if (bytes === 0) throw new Error('nothing serialized')
  return ((performance.now() - t0) * 1000) / ITERATIONS
}

const results = engines.map(() => ({ three: [] as number[], spread: [] as number[] }))
for (let r = 0; r < Number(process.env.ROUNDS ?? 7); r++)
  for (const [k, engine] of engines.entries()) {
    results[k]!.three.push(run(engine, 3))
    results[k]!.spread.push(run(engine, endpoints.length))
  }
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!
for (const [k, { root }] of engines.entries()) {
  const { three, spread } = results[k]!
  console.log(
    `${root}: µs per settle + serialization, 3 ids ${median(three).toFixed(2)}, 30,000 ids ${median(spread).toFixed(2)} (rounds ${spread.map((x) => x.toFixed(2)).join(' ')})`,
  )
}
