export { deleteEndpoint, getEndpoint, getEndpointByName, insertEndpoint, listEndpoints, updateEndpoint } from '@hookbox/store-kysely'
