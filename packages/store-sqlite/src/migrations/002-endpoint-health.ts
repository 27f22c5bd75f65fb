/** Per-endpoint limits and the circuit breaker's state. */
export const endpointHealth = `
ALTER TABLE hookbox_endpoints ADD COLUMN max_in_flight INTEGER;
ALTER TABLE hookbox_endpoints ADD COLUMN rate_per_second REAL;
ALTER TABLE hookbox_endpoints ADD COLUMN paused_until INTEGER;
ALTER TABLE hookbox_endpoints ADD COLUMN failing_since INTEGER;
`
