/** Public face of config loading: sources, the loader, schema validation and the formatters of its result. */
export type { ConfigSource } from './source.ts';
export { workingTreeSource } from './working-tree-source.ts';
export { gitRefSource, type GitRefSourceOptions } from './git-ref-source.ts';
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.ts';
export { createSchemaValidator, FILE_KINDS, SCHEMAS_DIR, type FileKind, type SchemaValidator } from './schema-validator.ts';
export { formatValidationJson, formatValidationText } from './format-diagnostics.ts';
export { parseYamlFile, type YamlFile } from './yaml-file.ts';
