import type { Clock } from '../clock.js'
import type { Store } from '../store/store.js'
import type { Transports } from '../transport/transports.js'

/** What the admin APIs share. */
export interface AdminContext {
  store: Store
  clock: Clock
  allowHttp: boolean
  /** Transports by URL scheme, for endpoint URL checks. */
  transports: Transports
  /** Called after configuration changes so the dispatcher picks them up. */
  changed(): void
}
