export { getResult, putResultQuery } from '@hookbox/store-kysely'
