import type { Outbox } from '@hookbox/core'
import type { HostDb } from './db.js'
import type { BackgroundJobs } from './jobs.js'

/** What every route module gets. */
export interface AppContext {
  outbox: Outbox
  db: HostDb
  jobs: BackgroundJobs
}

/** A 4xx answer a route throws; the app's error handler sends it as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}
