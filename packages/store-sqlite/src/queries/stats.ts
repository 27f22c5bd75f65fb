export { readStats } from '@hookbox/store-kysely'
