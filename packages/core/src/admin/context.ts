import type { Clock } from '../clock.js'
import type { Store } from '../store/store.js'

/** What the admin APIs share. */
export interface AdminContext {
  store: Store
  clock: Clock
  allowHttp: boolean
  /** Called after configuration changes so the dispatcher picks them up. */
  changed(): void
}
