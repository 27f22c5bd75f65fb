import { createOutbox, type Store } from '../index.js'

/** What a store's dispatcher-worker fixture hands {@link runDispatcherWorker}. */
export interface DispatcherWorker {
  /** The store under test, on the database the parent named in the worker's environment. */
  store: Store
  /** Ends what the fixture opened for the store (its pool), after the outbox has closed. */
  end(): Promise<void>
}

/**
 * The body of one dispatcher process for {@link describeMultiProcess}: starts a dispatcher on
 * `store` (`WORKER_CONCURRENCY`, `WORKER_LEASE_MS` from the environment), reports `ready` and
 * every hundredth delivery to the parent over IPC, and closes cleanly on SIGTERM. SIGKILL is
 * the test's crash: nothing here runs then.
 */
export function runDispatcherWorker({ store, end }: DispatcherWorker): void {
  const outbox = createOutbox({
    store,
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    dispatcher: {
      concurrency: Number(process.env.WORKER_CONCURRENCY ?? 16),
      batchSize: 50,
      leaseMs: Number(process.env.WORKER_LEASE_MS ?? 2000),
      pollIntervalMs: 250,
    },
  })
  let delivered = 0
  outbox.on('delivered', () => {
    delivered++
    if (delivered % 100 === 0) process.send?.({ delivered })
  })
  outbox.on('error', (e) => process.stderr.write(`worker ${process.pid} ${e.phase}: ${String((e.error as Error)?.message ?? e.error)}\n`))
  outbox.start()
  process.send?.({ ready: true })

  process.on('SIGTERM', () => {
    void outbox
      .close()
      .then(end)
      .then(() => process.exit(0))
  })
}
