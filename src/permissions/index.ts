/** Public face of permissions: who a request is (resolveAccess) and what it may read and write. */
export { ipAllowed, policyOf, resolveAccess, type AccessInput, type ResolvedAccess } from './resolve-access.ts';
export { junctionGrants } from './junction-grants.ts';
export { dynamicValuesOf, permissionsOf, readAccessFor, type CallerReadAccess, type HistoryTables } from './read-rules.ts';
export { writeGrantsFor, type WriteAction, type WriteGrants } from './write-grants.ts';
