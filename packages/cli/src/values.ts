import type { DeliveryState } from '@hookbox/core'
import { UsageError } from './errors.js'

/** A positive integer option such as `--limit`, or its default. */
export function positiveInt(raw: unknown, name: string, fallback: number, max = 1000): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`)
  return n
}

/** An ISO 8601 date option (`2024-05-01`, `2024-05-01T12:00:00Z`) as epoch ms. */
export function isoDate(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined
  const ms = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN
  if (Number.isNaN(ms))
    throw new UsageError(`--${name} must be an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z, got ${JSON.stringify(raw)}`)
  return ms
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration option: milliseconds, or a number with `ms`, `s`, `m`, `h` or `d` (`7d`, `12h`). */
export function durationMs(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined
  const m = typeof raw === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim()) : null
  if (!m) throw new UsageError(`--${name} must be a duration such as 7d, 12h, 30m or a number of ms, got ${JSON.stringify(raw)}`)
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!)
}

const STATES: DeliveryState[] = ['pending', 'delivered', 'failed', 'dead']

/** A `--state` option. */
export function deliveryState(raw: unknown): DeliveryState | undefined {
  if (raw === undefined) return undefined
  if (!STATES.includes(raw as DeliveryState))
    throw new UsageError(`--state must be one of ${STATES.join(', ')}, got ${JSON.stringify(raw)}`)
  return raw as DeliveryState
}

/** A string option's value (parseArgs gives `string | boolean | string[] | undefined`). */
export function str(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw : undefined
}

/** The `{ tenant }` scope of a command from its `--tenant` option ({} without one: every tenant). */
export function tenantScope(options: Record<string, unknown>): { tenant?: string } {
  const tenant = str(options.tenant)
  return tenant === undefined ? {} : { tenant }
}
