/** Collection names; FrankieOne v1's three are the ones its support desk configures. */
export const COLLECTIONS = {
  v1: { FUNCTION: 'FUNCTION', EVENT: 'EVENT', RESULT: 'RESULT' },
  v2: 'frankieone-v2',
  attestr: 'attestr',
  incode: 'incode',
} as const
