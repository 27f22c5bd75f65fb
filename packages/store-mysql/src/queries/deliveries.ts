export { getDelivery, getMessage, listAttempts, listDeliveries } from '@hookbox/store-kysely'
