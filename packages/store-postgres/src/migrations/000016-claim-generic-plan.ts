import type { Migration } from '@hookbox/core'

/**
 * The claim function keeps one plan per connection instead of planning its statement on every
 * call (issue 16). PL/pgSQL had settled on custom plans: a claim of 100 rows spent 0.5–2 ms
 * planning next to 1.3–2 ms running. The generic plan is the same index walk of `deliveries_due`
 * in claim order (it assumes many due rows and an unknown limit, the safe side; see migration
 * 11), but its estimate of that walk (~175,000) is past `jit_above_cost`, and JIT-compiling it
 * cost 40 ms a call; the claim's expressions are too small to gain from JIT, so it is off for
 * the function. Measured on one connection, calls interleaved with the current function, 20,000
 * due rows claimed 100 at a time: 1.78 against 2.75 ms of server CPU per claim.
 */
export const claimGenericPlanMigration: Migration = {
  version: 16,
  name: 'claim generic plan',
  sql: (s) => `
ALTER FUNCTION ${s}.claim_plain(bigint, integer, bigint, text, text[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ${s}.claim_plain(bigint, integer, bigint, text, text[]) SET jit = off;
`,
}
