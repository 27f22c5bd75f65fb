/**
 * The whole machine's CPU time (every process: the engine, the receiver, Postgres), from
 * /proc/stat. A drain's busy CPU per delivery says what a delivery costs the machine in all,
 * which bounds the rate any engine can reach on it: at `cores` fully busy, no more than
 * `cores × 1e6 / µs per delivery` deliveries a second. Other load on the machine adds to it,
 * so it is read on a quiet machine only (the full bench).
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'

/** Busy and total CPU time of all cores so far, ms. */
export interface CpuTimes {
  busyMs: number
  totalMs: number
}

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on every Linux build Node supports). */
const HZ = 100

/** The machine's CPU times now; zeros where /proc/stat is missing (not Linux). */
export function machineCpu(): CpuTimes {
  let line: string | undefined
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
  } catch {
    return { busyMs: 0, totalMs: 0 }
  }
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line!.trim().split(/\s+/).slice(1, 9).map(Number) as number[]
  const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0)
  return { busyMs: (busy * 1000) / HZ, totalMs: ((busy + idle! + iowait!) * 1000) / HZ }
}

/** What a span of work cost the machine. */
export interface CpuSpent {
  /** Busy CPU of all processes per unit of work, µs. */
  usPerUnit: number
  /** Share of all cores busy over the span (1 = every core all the time). */
  busyShare: number
}

/** The machine CPU spent between `from` and now, per each of `units`. */
export function cpuSince(from: CpuTimes, units: number): CpuSpent {
  const to = machineCpu()
  const busy = to.busyMs - from.busyMs
  const total = to.totalMs - from.totalMs
  return { usPerUnit: (busy * 1000) / units, busyShare: total > 0 ? busy / total : Number.NaN }
}

/** Logical cores: the machine's CPU capacity is this many seconds of CPU per second. */
export const cores = (): number => os.availableParallelism?.() ?? os.cpus().length
