export { purgeFinished } from '@hookbox/store-kysely'
