// What `notify` adds to a Postgres host transaction, load-independently (issue 16): one connection
// loops BEGIN; UPDATE a business row; [body]; COMMIT, the bodies interleaved in rounds (each round
// starting at the next): bare; raw, a hand-written INSERT into a copy of messages; same, the
// store's own INSERT text on messages; jsonly, the engine's work for a notify (an executor that
// answers at once) then same; notify (default `coalesced` wake, dispatcher not started). Per tx:
// client CPU µs (process.cpuUsage), server CPU µs (the connection's backend, /proc/<pid>/schedstat),
// round trips; then each body minus bare. `--root` picks the checkout whose engine runs (A/B: run it
// once per checkout, alternating).
//   tsx --conditions=hookbox-source scripts/notify-tx-probe.ts [--root=.] [--n=3000] [--rounds=3]
//     [--only=bare,same,notify] [--wake=notify|coalesced|poll] [--verbose]
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const root = resolve(arg('root') ?? '.')
const n = Number(arg('n') ?? 3000)
const rounds = Number(arg('rounds') ?? 3)
const wake = arg('wake') as 'notify' | 'coalesced' | 'poll' | undefined

const h = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof import('../bench/hookbox.js')
const core = (await import(pathToFileURL(join(root, 'packages/core/src/index.ts')).href)) as typeof import('../packages/core/src/index.js')
const { payloadFor } = (await import(pathToFileURL(join(root, 'bench/support.ts')).href)) as typeof import('../bench/support.js')

const ns = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
const t = h.newTarget('postgres')
const box = await h.openOutbox(t, wake ? { wake } : {})
try {
  await box.outbox.migrate()
  const s = `"${t.schema}"`
  const c = await box.pool!.connect()
  await c.query(`CREATE TABLE ${s}.accounts (id int PRIMARY KEY, state text NOT NULL, version int NOT NULL DEFAULT 0)`)
  await c.query(`INSERT INTO ${s}.accounts (id, state) SELECT g, 'FAIL' FROM generate_series(1, 1000) g`)
  await c.query(`CREATE TABLE ${s}.raw_messages (LIKE ${s}.messages INCLUDING ALL)`)
  let trips = 0
  const query = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>
  ;(c as unknown as { query: typeof query }).query = (...a) => (trips++, query(...a))
  const update = `UPDATE ${s}.accounts SET state = $1, version = version + 1 WHERE id = $2`
  const insert = `INSERT INTO ${s}.raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
  const same = `INSERT INTO ${s}.messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, tenant) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
  const instant = { executeSql: async () => ({ rows: [] }) }
  const bodies: Record<string, (i: number) => Promise<unknown>> = {
    bare: async () => undefined,
    raw: (i) => {
      const id = core.newId()
      const values = [id, 'entity.state_changed', JSON.stringify(payloadFor(i)), id, null, null, null, Date.now()]
      return c.query({ name: 'probe_raw', text: insert, values })
    },
    same: (i) => {
      const id = core.newId()
      const values = [id, 'entity.state_changed', JSON.stringify(payloadFor(i)), id, null, null, null, Date.now(), '']
      return c.query({ name: 'probe_same', text: same, values })
    },
    // The engine's own work for a notify (an executor that answers at once), then the same INSERT.
    jsonly: async (i) => {
      await box.outbox.notify({ type: 'entity.state_changed', payload: payloadFor(i) }, { transaction: instant })
      return bodies.same!(i)
    },
    notify: (i) => box.outbox.notify({ type: 'entity.state_changed', payload: payloadFor(i) }, { transaction: c }),
  }
  const pid = (c as unknown as { processID: number }).processID
  let i = 0
  const run = async (body: (i: number) => Promise<unknown>, count: number) => {
    const cpu0 = process.cpuUsage()
    const s0 = ns(pid)
    const trips0 = trips
    for (let k = 0; k < count; k++, i++) {
      await c.query('BEGIN')
      await c.query({ name: 'probe_update', text: update, values: [i & 1 ? 'PASS' : 'FAIL', 1 + (i % 1000)] })
      await body(i)
      await c.query('COMMIT')
    }
    const cpu = process.cpuUsage(cpu0)
    return { client: (cpu.user + cpu.system) / count, server: (ns(pid) - s0) / 1000 / count, trips: (trips - trips0) / count }
  }
  for (const body of Object.values(bodies)) await run(body, 500) // warm-up (JIT, plans)
  const samples: Record<string, Array<{ client: number; server: number; trips: number }>> = {}
  const only = arg('only')?.split(',')
  const order = Object.entries(bodies).filter(([k]) => !only || only.includes(k))
  // Each round starts at the next variant, so none is always measured right after the same one.
  for (let r = 0; r < rounds; r++)
    for (let v = 0; v < order.length; v++) {
      const [name, body] = order[(r + v) % order.length]!
      const x = await run(body, n)
      ;(samples[name] ??= []).push(x)
      if (process.argv.includes('--verbose'))
        console.log(`  round ${r} ${name} client ${x.client.toFixed(1)} server ${x.server.toFixed(1)}`)
    }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const m = Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => [
      k,
      { client: med(xs.map((x) => x.client)), server: med(xs.map((x) => x.server)), trips: med(xs.map((x) => x.trips)) },
    ]),
  )
  for (const [k, x] of Object.entries(m))
    console.log(
      `${k.padEnd(7)} client ${x.client.toFixed(1).padStart(6)} µs/tx  server ${x.server.toFixed(1).padStart(6)} µs/tx  ${x.trips} trips/tx`,
    )
  for (const k of ['raw', 'same', 'jsonly', 'notify'].filter((k) => m[k] && m.bare))
    console.log(
      `${k} − bare: client ${(m[k]!.client - m.bare!.client).toFixed(1)} µs, server ${(m[k]!.server - m.bare!.server).toFixed(1)} µs`,
    )
  c.release()
} finally {
  await box.close()
  await h.dropTarget(t)
}
