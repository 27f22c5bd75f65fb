export { deleteCollection, getCollection, listCollections, upsertCollection } from '@hookbox/store-kysely'
