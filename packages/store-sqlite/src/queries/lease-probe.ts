export { leaseProbe } from '@hookbox/store-kysely'
