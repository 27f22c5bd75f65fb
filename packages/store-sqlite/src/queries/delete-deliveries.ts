export { deleteDeliveries } from '@hookbox/store-kysely'
