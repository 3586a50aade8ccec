/**
 * The closed set of codes a config diagnostic can carry. Like the error
 * catalogue, each code is stable and documented (docs/config-errors.md, checked
 * by a test): CI scripts and editors may key on them.
 */
export const DIAGNOSTIC_CODES = {
  CONFIG_YAML_SYNTAX: 'The file is not valid YAML.',
  CONFIG_DUPLICATE_KEY: 'A key appears twice in one mapping.',
  CONFIG_NOT_A_MAPPING: 'The file is empty or its top level is not a mapping.',
  CONFIG_UNKNOWN_FILE: 'A YAML file sits where Cairn expects none (wrong folder or nesting).',
  CONFIG_MISSING_PROJECT: 'The repository has no cairn.yaml.',
  CONFIG_UNKNOWN_PROPERTY: 'A key the format does not have (often a typo).',
  CONFIG_MISSING_PROPERTY: 'A required key is missing.',
  CONFIG_INVALID_VALUE: 'A value has the wrong type, is out of range, or is not one of the allowed values.',
  CONFIG_OPTION_NOT_ALLOWED: 'An option that does not apply here (e.g. maxLength on a text field).',
  CONFIG_NAME_MISMATCH: "The object's name differs from its file name.",
  CONFIG_DUPLICATE_NAME: 'Two objects, or two fields, have the same name ignoring case.',
  CONFIG_INVALID_IDENTIFIER: 'A name PostgreSQL cannot take: too long, or with the reserved cairn_ prefix.',
  CONFIG_RESERVED_NAME: 'A built-in name (the administrator role or policy) is declared.',
  CONFIG_UNKNOWN_COLLECTION: 'A reference to a collection that is not declared.',
  CONFIG_UNKNOWN_FIELD: 'A reference to a field the collection does not have.',
  CONFIG_RELATION_MISMATCH: 'The two sides of a relation do not fit (o2m foreignKey, m2m junction fields, key types).',
  CONFIG_JUNCTION_COLLISION: 'A generated m2m junction has the name of a declared collection.',
  CONFIG_INVALID_FIELD_ROLE: 'A field used as primary key, sort or archive field has an unsuitable type or value.',
  CONFIG_INVALID_DEFAULT: 'A default value that does not fit the field (type, enum, length).',
  CONFIG_INVALID_FILTER: 'A filter with an unknown operator, an operator the field type does not have, or a malformed value.',
  CONFIG_UNKNOWN_POLICY: 'A role names a policy that is not declared.',
  CONFIG_UNKNOWN_ROLE: 'A reference to a role that is not declared.',
  CONFIG_ROLE_CYCLE: 'Roles are their own ancestors through parent.',
  CONFIG_MULTIPLE_PUBLIC_POLICIES: 'More than one policy says public: true.',
  CONFIG_DUPLICATE_OPERATION: 'Two operations of a flow have the same key.',
  CONFIG_UNKNOWN_OPERATION: 'resolve or reject names an operation the flow does not have.',
  CONFIG_UNREACHABLE_OPERATION: 'An operation no path from the first operation reaches.',
  CONFIG_INVALID_TRIGGER: 'A trigger node-cron cannot schedule (a malformed cron) or a filter-mode trigger on versions.promote.',
  CONFIG_UNKNOWN_FLOW: 'trigger-flow names a flow that is not declared or cannot be triggered.',
  CONFIG_UNKNOWN_EXTENSION: 'exec names an extension that is not declared or is not an operation.',
  CONFIG_MISSING_ENTRY_FILE: "An extension's entry file does not exist.",
  CONFIG_SECRET_IN_FILE: 'A secret written into a file instead of a $env.NAME reference.',
  CONFIG_UNKNOWN_ENVIRONMENT: 'An overlay folder or --env names an environment cairn.yaml does not list.',
  CONFIG_OVERLAY_WITHOUT_BASE: 'An overlay file whose base file does not exist.',
  CONFIG_OVERLAY_RENAMES: "An overlay changes the object's name.",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export interface Diagnostic {
  code: DiagnosticCode;
  /** Path of the file, relative to the repository root (POSIX). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  hint?: string;
}

/** Stable order for output and golden tests: by file, then position, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code) || a.message.localeCompare(b.message);
}
