/** Public face of the services: the only door to data for REST, GraphQL, flows and extensions. */
export { ADMIN_ROLE, bootstrapAdmin, bootstrapAdminAccess, DEFAULT_ADMIN_EMAIL, type AdminAccessReport, type BootstrapAdminResult } from './bootstrap-admin.ts';
export { ADMIN_TOKEN_NAME, syncAdminToken, type AdminTokenReport } from './admin-token.ts';
export { serverInfo, type ServerInfo } from './server-info.ts';
export { checkHealth, DATABASE_WARN_THRESHOLD_MS, type HealthCheck, type HealthReport, type HealthStatus } from './health.ts';
export { adminAccountability, publicAccountability, type Accountability, type RequestOrigin } from './accountability.ts';
export { readDataJson, readItem, readItemJson, readItems, readItemsJson, type ReadItemsResult } from './items/read-items.ts';
export { parseKey, requireKeys, type ItemKey } from './items/item-keys.ts';
export { createItems, deleteItems, updateBatch, updateItems, upsertSingleton } from './items/write-items.ts';
export { revertRevision } from './items/revert-revision.ts';
export { createUsers, deleteUsers, readMe, readUser, readUsers, SELF_EDITABLE_FIELDS, updateMe, updateUsers, USER_FIELD_TOKEN_NAME, USER_STATUSES } from './users.ts';
export { readMyPermissions, refuseConfigWrite, type ConfigKind } from './access.ts';
export { CONFIG_COLLECTION_OF, readConfig, readConfigOf, readSchemaSnapshot } from './config-reads.ts';
export { schemaSnapshot, type SchemaSnapshot } from './schema-records.ts';
export { inOneTransaction } from './unit-of-work.ts';
export { compareVersion, createVersions, deleteVersions, promoteVersion, readAtVersion, readVersion, saveToVersion, updateVersion, type Comparison, type VersionRow } from './versions/versions.ts';
export { queueAudit } from './versions/audit-outbox.ts';
export { generateHash, randomString, RANDOM_STRING_DEFAULT_LENGTH, RANDOM_STRING_MAX_LENGTH, sortItems, verifyHash } from './utilities.ts';
export { openApiSpec, OPENAPI_VERSION, type OpenApiDocument, type SchemaObject } from './openapi-spec.ts';
