/**
 * Shared helpers of the workspace benchmarks (`pnpm bench`): machine description, timing,
 * percentiles, forced GC, Markdown tables, and the single undici instance Hookbox itself uses.
 */
import os from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// The exact undici that @hookbox/core sends with, so the raw baseline runs the same client code.
export { Agent, Pool, request } from '../packages/core/node_modules/undici/index.js'

/** Absolute wall-clock time in ms with sub-ms resolution, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now()

/** A small event payload, the same in every benchmark. */
export const payloadFor = (i: number) => ({ entityId: `ent_${i}`, from: 'FAIL', to: 'PASS', score: i % 100, checkedBy: 'bench' })

/** Forces a full collection (enables `--expose-gc` at run time if the flag was not given). */
export function gc(): void {
  let g = (globalThis as { gc?: () => void }).gc
  if (!g) {
    setFlagsFromString('--expose-gc')
    g = runInNewContext('gc') as () => void
    ;(globalThis as { gc?: () => void }).gc = g
  }
  g()
  g()
}

/** The value at quantile q (0–1) of an unsorted list, nearest-rank. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/** Formats a number with thousands separators and `digits` decimals. */
export function num(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** A ratio as `0.87×`. */
export const ratio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—')

/** A Markdown table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`
  return [line(headers), line(headers.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

/** One benchmark's contribution to BENCHMARKS.md. */
export interface Section {
  title: string
  /** Markdown: method, tables, notes. */
  body: string
}

/** Rejects if `p` takes longer than `ms` (each benchmark is bounded in time). */
export async function bounded<T>(label: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} exceeded its ${ms / 1000} s budget`)), ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** CPU model, cores, memory, OS and Node version. */
export function machine(): Array<[string, string]> {
  const cpus = os.cpus()
  return [
    ['CPU', `${cpus[0]?.model.trim() ?? 'unknown'}`],
    ['Cores (logical)', String(os.availableParallelism?.() ?? cpus.length)],
    ['Memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`],
    ['Node.js', process.version],
  ]
}

/** Yields to the event loop (lets I/O callbacks run). */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** MB with one decimal. */
export const mb = (bytes: number): number => bytes / 2 ** 20

/** Whether this is `pnpm bench --quick` (small N, one run each, under a minute). */
export const quick = process.argv.includes('--quick')

/** Median and spread (min–max) of repeated runs. */
export interface Stat {
  median: number
  min: number
  max: number
  runs: number[]
}

export function stat(runs: number[]): Stat {
  const s = [...runs].sort((a, b) => a - b)
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  return { median, min: s[0]!, max: s.at(-1)!, runs }
}

/** `12,345 (11,900–12,800)`: median and spread. */
export const showStat = (s: Stat, digits = 0): string =>
  s.runs.length > 1 ? `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})` : num(s.median, digits)

/** One headline figure: what was measured, against what, and whether it meets its target. */
export interface Figure {
  id: string
  what: string
  value: number
  unit: string
  baseline?: { name: string; value: number }
  ratio?: number
  target: string
  /** null: no target, reported for information. */
  met: boolean | null
  /** What limits it, when not met (or a note). */
  note?: string
}

export const verdict = (met: boolean | null): string => (met === null ? 'info' : met ? '**MET**' : '**NOT MET**')

/** One benchmark's result: Markdown plus headline figures and raw data for the JSON file. */
export interface Result extends Section {
  figures: Figure[]
  data: unknown
}
