/**
 * The measuring side of the profile (runs inside a dispatcher process, see workers.ts): a V8
 * CPU profile through `node:inspector` from `go` to `stop` (what `node --cpu-prof` records, but
 * without the process's start-up and tsx's compiling), and every pg query's client-side time
 * (call → result, so it includes the round trip and Postgres's work) and count, by statement.
 * pg_stat_statements is not loaded on the shared server, and it may not be restarted.
 */
import { Session } from 'node:inspector/promises'
import pg from 'pg'

/** A V8 CPU profile (the `.cpuprofile` format). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** Client-side time and count of one statement. */
export interface SqlStat {
  statement: string
  calls: number
  ms: number
}

export interface ProfileData {
  cpu: CpuProfile
  sql: SqlStat[]
}

/** What a statement is called in the table: its prepared name, or its first words. */
function statementOf(arg: unknown): string {
  const q = typeof arg === 'string' ? { text: arg } : (arg as { text?: string; name?: string } | undefined)
  const text = (q?.text ?? '?').replace(/\s+/g, ' ').trim()
  return (q?.name ? `[${q.name}] ` : '') + (text.length > 90 ? `${text.slice(0, 90)}…` : text)
}

/** Starts both recorders; the returned function stops them and hands back what they saw. */
export async function startProfile(): Promise<() => Promise<ProfileData>> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  const sql = new Map<string, SqlStat>()
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    const key = statementOf(args[0])
    const t0 = performance.now()
    const record = () => {
      const s = sql.get(key) ?? { statement: key, calls: 0, ms: 0 }
      s.calls++
      s.ms += performance.now() - t0
      sql.set(key, s)
    }
    // pg.Pool's own query() calls the client's with a callback, not for a promise.
    const last = args.length - 1
    const callback = args[last]
    if (typeof callback === 'function')
      args[last] = (...r: unknown[]) => {
        record()
        return (callback as (...r: unknown[]) => unknown)(...r)
      }
    const result = original.apply(this, args)
    if (typeof callback !== 'function' && result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(record, record)
    return result
  }
  return async () => {
    proto.query = original
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile }
    session.disconnect()
    return { cpu: profile, sql: [...sql.values()] }
  }
}
