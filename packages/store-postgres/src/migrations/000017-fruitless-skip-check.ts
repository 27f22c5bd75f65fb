import type { Migration } from '@hookbox/core'
import { claimPlainFunction, type ClaimPlainParts } from './claim-plain-function.js'

/**
 * A claim that skips endpoints first asks an index of pending deliveries by endpoint whether
 * any of them is for an endpoint it does not skip (or for none: `majority`), and returns at once
 * if not. The claim walks the due index in order and must read each delivery to see its
 * endpoint, so a claim skipping the one endpoint of a backlog (its in-flight window is full while
 * the dispatcher has free slots, as every drain starts) read every pending delivery to find
 * nothing: 0.7–1.1 s per claim at 1,000,000 pending, three times in one drain of 8,000. The
 * check costs one index probe per skipped endpoint and one more (such a claim: 1–18 ms).
 * `CREATE OR REPLACE` drops the function's settings, so this states all three again (bitmap
 * scans off, migration 11; one generic plan per connection without JIT, migration 16).
 */
export const fruitlessSkipCheckMigration: Migration = {
  version: 17,
  name: 'fruitless skip check',
  sql: (s) => `
CREATE INDEX IF NOT EXISTS deliveries_pending_endpoint ON ${s}.deliveries (endpoint_id) WHERE state = 'pending';
${claimPlainFunction(s, {
  settings: '\nSET enable_bitmapscan = off SET plan_cache_mode = force_generic_plan SET jit = off',
  ...fruitlessSkipParts(s),
})}`,
}

/** Migration 17's check (its declarations and statements), which later claims keep. */
export function fruitlessSkipParts(s: string): Required<Pick<ClaimPlainParts, 'declare' | 'before'>> {
  return {
    declare: `DECLARE
  v_keys text[];
  v_next text;
`,
    // Invariant: v_next is the least endpoint of a pending delivery above the keys passed so far.
    before: `  IF cardinality(p_skip) > 0
    AND NOT EXISTS (SELECT 1 FROM ${s}.deliveries d WHERE d.state = 'pending' AND d.endpoint_id IS NULL) THEN
    v_keys := ARRAY(SELECT DISTINCT k FROM unnest(p_skip) k WHERE k IS NOT NULL ORDER BY k);
    v_next := (SELECT min(d.endpoint_id) FROM ${s}.deliveries d WHERE d.state = 'pending');
    FOR i IN 1 .. coalesce(cardinality(v_keys), 0) LOOP
      EXIT WHEN v_next IS NULL OR v_next < v_keys[i];
      IF v_next = v_keys[i] THEN
        v_next := (SELECT min(d.endpoint_id) FROM ${s}.deliveries d WHERE d.state = 'pending' AND d.endpoint_id > v_keys[i]);
      END IF;
    END LOOP;
    IF v_next IS NULL THEN
      RETURN;
    END IF;
  END IF;
`,
  }
}
