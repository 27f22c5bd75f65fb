export { setEndpointHealth } from '@hookbox/store-kysely'
