export { purgeTenant } from '@hookbox/store-kysely'
