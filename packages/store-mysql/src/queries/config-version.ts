export { configVersion } from '@hookbox/store-kysely'
