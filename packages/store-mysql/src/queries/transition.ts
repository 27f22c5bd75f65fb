export { transitionDeliveries } from '@hookbox/store-kysely'
