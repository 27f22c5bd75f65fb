export { ensureTenant, getTenant, listTenants, upsertTenant } from '@hookbox/store-kysely'
