/**
 * Collections, fields and relations: defaults filled in, PostgreSQL types
 * decided, relation pairs linked, m2m junctions materialised, and every
 * cross-reference between collections checked.
 */
import type { Declaration, Report } from './declarations.ts';
import { didYouMean, identifierProblem } from './names.ts';
import type { Collection, Field, KeyType, OnDelete, Relation, ScalarFieldType } from './types.ts';

const KEY_DB_TYPES: Record<KeyType, string> = { integer: 'integer', bigInteger: 'bigint', uuid: 'uuid', string: 'varchar(255)' };
const DEFAULT_STRING_LENGTH = 255;

function scalarDbType(type: ScalarFieldType, doc: Record<string, any>): string {
  switch (type) {
    case 'string':
      return `varchar(${doc.maxLength ?? DEFAULT_STRING_LENGTH})`;
    case 'decimal':
      return `numeric(${doc.precision ?? 10}, ${doc.scale ?? 5})`;
    case 'hash':
      return 'varchar(255)';
    case 'csv':
      return 'text[]';
    case 'dateTime':
      return 'timestamp';
    case 'timestamp':
      return 'timestamptz';
    case 'float':
      return 'double precision';
    case 'bigInteger':
      return 'bigint';
    case 'json':
      return 'jsonb';
    default:
      return type;
  }
}

export function buildCollections(
  declarations: readonly Declaration[],
  /** Collections declared but unusable; a collection refused here is added. */
  invalid: Set<string>,
  report: Report,
): Record<string, Collection> {
  const collections: Record<string, Collection> = {};
  const origins = new Map<string, string>();
  const byLowerName = new Map<string, string>();

  // Pass 1: each collection on its own, so every primary key type is known before relations.
  for (const { origin, doc } of declarations) {
    const name: string = doc.collection;
    const problem = identifierProblem(name);
    if (problem) report({ code: 'CONFIG_INVALID_IDENTIFIER', origin, path: ['collection'], message: problem });
    const clash = byLowerName.get(name.toLowerCase());
    if (clash !== undefined) {
      report({ code: 'CONFIG_DUPLICATE_NAME', origin, path: ['collection'], message: `collection "${name}" clashes with "${clash}" (names are compared ignoring case)` });
      invalid.add(name);
      continue;
    }
    byLowerName.set(name.toLowerCase(), name);
    origins.set(name, origin);
    const keyType: KeyType = doc.primaryKey?.type ?? 'integer';
    const collection: Collection = {
      name,
      note: doc.note ?? null,
      primaryKey: { field: doc.primaryKey?.field ?? 'id', type: keyType, dbType: KEY_DB_TYPES[keyType] },
      singleton: doc.singleton ?? false,
      sortField: doc.sortField ?? null,
      archive: doc.archive ? { field: doc.archive.field, value: doc.archive.value } : null,
      versioning: doc.versioning ?? false,
      accountability: doc.accountability ?? 'all',
      renamedFrom: doc.renamedFrom ?? null,
      junction: false,
      fields: {},
    };
    const pkProblem = identifierProblem(collection.primaryKey.field);
    if (pkProblem) report({ code: 'CONFIG_INVALID_IDENTIFIER', origin, path: ['primaryKey', 'field'], message: pkProblem });
    const fieldNames = new Map<string, string>([[collection.primaryKey.field.toLowerCase(), collection.primaryKey.field]]);
    for (const [fieldName, fieldDoc] of Object.entries<Record<string, any>>(doc.fields ?? {})) {
      const path = ['fields', fieldName];
      const fieldProblem = identifierProblem(fieldName);
      if (fieldProblem) report({ code: 'CONFIG_INVALID_IDENTIFIER', origin, path, target: 'key', message: fieldProblem });
      const seen = fieldNames.get(fieldName.toLowerCase());
      if (seen !== undefined) {
        const what = seen === collection.primaryKey.field ? 'the primary key field' : `field "${seen}"`;
        report({ code: 'CONFIG_DUPLICATE_NAME', origin, path, target: 'key', message: `field "${fieldName}" clashes with ${what} (names are compared ignoring case)` });
        continue;
      }
      fieldNames.set(fieldName.toLowerCase(), fieldName);
      collection.fields[fieldName] = scalarOrPendingField(fieldName, fieldDoc);
    }
    collections[name] = collection;
  }

  const exists = (related: string, origin: string, path: (string | number)[]): Collection | undefined => {
    const target = collections[related];
    if (!target && !invalid.has(related)) {
      report({
        code: 'CONFIG_UNKNOWN_COLLECTION',
        origin,
        path,
        message: `collection "${related}" does not exist`,
        ...didYouMean(related, Object.keys(collections)),
      });
    }
    return target;
  };

  // Pass 2: m2o needs the target's key type.
  for (const { origin, doc } of declarations) {
    const collection = collections[doc.collection];
    if (!collection || origins.get(collection.name) !== origin) continue;
    for (const field of Object.values(collection.fields)) {
      if (field.type !== 'm2o') continue;
      const fieldDoc = doc.fields[field.name];
      const target = exists(fieldDoc.related, origin, ['fields', field.name, 'related']);
      field.relation = { kind: 'm2o', related: fieldDoc.related, onDelete: (fieldDoc.onDelete ?? 'set null') as OnDelete };
      field.dbType = target ? target.primaryKey.dbType : null;
      if (field.relation.onDelete === 'set null' && field.required) {
        report({
          code: 'CONFIG_RELATION_MISMATCH',
          origin,
          path: ['fields', field.name, 'onDelete'],
          message: `a required m2o cannot use onDelete "set null"`,
          hint: 'use cascade or restrict, or make the field optional',
        });
      }
    }
  }

  // Pass 3: o2m and m2m point at m2o fields, which now all exist.
  for (const { origin, doc } of declarations) {
    const collection = collections[doc.collection];
    if (!collection || origins.get(collection.name) !== origin) continue;
    for (const field of Object.values(collection.fields)) {
      const fieldDoc = doc.fields[field.name];
      const path = ['fields', field.name];
      if (field.type === 'o2m') {
        const target = exists(fieldDoc.related, origin, [...path, 'related']);
        field.relation = { kind: 'o2m', related: fieldDoc.related, foreignKey: fieldDoc.foreignKey };
        if (!target) continue;
        const back = target.fields[fieldDoc.foreignKey];
        // An m2o back to a collection that does not exist is reported on that m2o, not again here.
        if (!back) {
          report({
            code: 'CONFIG_UNKNOWN_FIELD',
            origin,
            path: [...path, 'foreignKey'],
            message: `collection "${target.name}" has no field "${fieldDoc.foreignKey}"`,
            ...didYouMean(fieldDoc.foreignKey, Object.keys(target.fields)),
          });
        } else if (back.relation?.kind !== 'm2o' || (back.relation.related !== collection.name && collections[back.relation.related] !== undefined)) {
          report({
            code: 'CONFIG_RELATION_MISMATCH',
            origin,
            path: [...path, 'foreignKey'],
            message: `"${target.name}.${back.name}" must be an m2o to "${collection.name}" to serve as this o2m's foreign key`,
          });
        }
      } else if (field.type === 'm2m') {
        const target = exists(fieldDoc.related, origin, [...path, 'related']);
        if (fieldDoc.through !== undefined) {
          const relation = linkDeclaredJunction({ collection, field: field.name, fieldDoc, collections, origin, report, exists });
          if (relation) field.relation = relation;
        } else if (target) {
          field.relation = generateJunction({ collection, field: field.name, related: target, collections, origin, report });
        }
      }
    }
  }

  // Pass 4: the roles some fields play, and defaults.
  for (const { origin } of declarations) {
    const collection = Object.values(collections).find((c) => origins.get(c.name) === origin);
    if (collection) checkFieldRoles(collection, origin, report);
  }
  return collections;
}

function scalarOrPendingField(name: string, doc: Record<string, any>): Field {
  const type = doc.type as Field['type'];
  const relational = type === 'm2o' || type === 'o2m' || type === 'm2m';
  const required = doc.required ?? false;
  return {
    name,
    type,
    dbType: relational ? null : scalarDbType(type as ScalarFieldType, doc),
    required,
    nullable: type === 'o2m' || type === 'm2m' ? true : (doc.nullable ?? !required),
    unique: doc.unique ?? false,
    ...(doc.default !== undefined ? { default: doc.default } : {}),
    maxLength: type === 'string' ? (doc.maxLength ?? DEFAULT_STRING_LENGTH) : null,
    precision: type === 'decimal' ? (doc.precision ?? 10) : null,
    scale: type === 'decimal' ? (doc.scale ?? 5) : null,
    enum: doc.enum ?? null,
    note: doc.note ?? null,
    special: doc.special ?? null,
    index: doc.index ?? false,
    renamedFrom: doc.renamedFrom ?? null,
    relation: null,
  };
}

function generateJunction(options: {
  collection: Collection;
  field: string;
  related: Collection;
  collections: Record<string, Collection>;
  origin: string;
  report: Report;
}): Relation | null {
  const { collection, field, related, collections, origin, report } = options;
  const name = `${collection.name}_${field}`;
  const path = ['fields', field];
  const taken = Object.keys(collections).find((existing) => existing.toLowerCase() === name.toLowerCase());
  if (taken !== undefined) {
    report({
      code: 'CONFIG_JUNCTION_COLLISION',
      origin,
      path,
      target: 'key',
      message: `the junction generated for this m2m would be named "${name}", which is a declared collection`,
      hint: `name the junction with through: ${taken}, or rename one of them`,
    });
    return null;
  }
  const sourceField = `${collection.name}_id`;
  const targetField = related.name === collection.name ? `${related.name}_related_id` : `${related.name}_id`;
  for (const identifier of [name, sourceField, targetField]) {
    const problem = identifierProblem(identifier);
    if (problem) {
      report({ code: 'CONFIG_INVALID_IDENTIFIER', origin, path, target: 'key', message: `generated junction: ${problem}`, hint: 'use a shorter field name or through:' });
      return null;
    }
  }
  const side = (fieldName: string, target: Collection): Field => ({
    name: fieldName,
    type: 'm2o',
    dbType: target.primaryKey.dbType,
    required: true,
    nullable: false,
    unique: false,
    maxLength: null,
    precision: null,
    scale: null,
    enum: null,
    note: null,
    special: null,
    index: true,
    renamedFrom: null,
    relation: { kind: 'm2o', related: target.name, onDelete: 'cascade' },
  });
  collections[name] = {
    name,
    note: `Junction of ${collection.name}.${field} and ${related.name}`,
    primaryKey: { field: 'id', type: 'integer', dbType: 'integer' },
    singleton: false,
    sortField: null,
    archive: null,
    versioning: false,
    accountability: collection.accountability,
    renamedFrom: null,
    junction: true,
    fields: { [sourceField]: side(sourceField, collection), [targetField]: side(targetField, related) },
  };
  return { kind: 'm2m', related: related.name, junction: name, sourceField, targetField, generated: true };
}

function linkDeclaredJunction(options: {
  collection: Collection;
  field: string;
  fieldDoc: Record<string, any>;
  collections: Record<string, Collection>;
  origin: string;
  report: Report;
  exists: (name: string, origin: string, path: (string | number)[]) => Collection | undefined;
}): Relation | null {
  const { collection, field, fieldDoc, origin, report, exists } = options;
  const path = ['fields', field];
  const junction = exists(fieldDoc.through, origin, [...path, 'through']);
  if (!junction) return null;
  const pick = (option: 'sourceField' | 'targetField', pointsAt: string): string | null => {
    const named: string | undefined = fieldDoc[option];
    const m2os = Object.values(junction.fields).filter((f) => f.relation?.kind === 'm2o' && f.relation.related === pointsAt);
    if (named !== undefined) {
      const chosen = junction.fields[named];
      if (!chosen) {
        report({ code: 'CONFIG_UNKNOWN_FIELD', origin, path: [...path, option], message: `collection "${junction.name}" has no field "${named}"`, ...didYouMean(named, Object.keys(junction.fields)) });
        return null;
      }
      if (chosen.relation?.kind !== 'm2o' || chosen.relation.related !== pointsAt) {
        report({ code: 'CONFIG_RELATION_MISMATCH', origin, path: [...path, option], message: `"${junction.name}.${named}" must be an m2o to "${pointsAt}"` });
        return null;
      }
      return named;
    }
    // A self-referencing m2m has two m2o to the same collection: the first is the source, the second the target.
    const selfReference = fieldDoc.related === collection.name;
    const candidates = selfReference ? m2os.slice(option === 'sourceField' ? 0 : 1, option === 'sourceField' ? 1 : 2) : m2os;
    if (candidates.length !== 1 || (selfReference && m2os.length !== 2)) {
      report({
        code: 'CONFIG_RELATION_MISMATCH',
        origin,
        path: [...path, 'through'],
        message: m2os.length === 0 ? `junction "${junction.name}" has no m2o to "${pointsAt}"` : `junction "${junction.name}" has ${m2os.length} m2o fields to "${pointsAt}"`,
        hint: `name the right one with ${option}:`,
      });
      return null;
    }
    return candidates[0]!.name;
  };
  const sourceField = pick('sourceField', collection.name);
  const targetField = pick('targetField', fieldDoc.related);
  if (sourceField === null || targetField === null) return null;
  return { kind: 'm2m', related: fieldDoc.related, junction: junction.name, sourceField, targetField, generated: false };
}

function checkFieldRoles(collection: Collection, origin: string, report: Report): void {
  if (collection.sortField !== null) {
    const sort = collection.fields[collection.sortField];
    if (!sort) {
      report({ code: 'CONFIG_UNKNOWN_FIELD', origin, path: ['sortField'], message: `collection "${collection.name}" has no field "${collection.sortField}"`, ...didYouMean(collection.sortField, Object.keys(collection.fields)) });
    } else if (sort.type !== 'integer' && sort.type !== 'bigInteger') {
      report({ code: 'CONFIG_INVALID_FIELD_ROLE', origin, path: ['sortField'], message: `sort field "${sort.name}" must be an integer field, not ${sort.type}` });
    }
  }
  if (collection.archive !== null) {
    const archive = collection.fields[collection.archive.field];
    if (!archive) {
      report({ code: 'CONFIG_UNKNOWN_FIELD', origin, path: ['archive', 'field'], message: `collection "${collection.name}" has no field "${collection.archive.field}"`, ...didYouMean(collection.archive.field, Object.keys(collection.fields)) });
    } else if (archive.enum && !archive.enum.includes(collection.archive.value as string | number)) {
      report({ code: 'CONFIG_INVALID_FIELD_ROLE', origin, path: ['archive', 'value'], message: `archive value ${JSON.stringify(collection.archive.value)} is not one of the field's enum values (${archive.enum.join(', ')})` });
    }
  }
  for (const field of Object.values(collection.fields)) {
    if (!('default' in field)) continue;
    const path = ['fields', field.name, 'default'];
    if (field.enum && !field.enum.includes(field.default as string | number)) {
      report({ code: 'CONFIG_INVALID_DEFAULT', origin, path, message: `default ${JSON.stringify(field.default)} is not one of the enum values (${field.enum.join(', ')})` });
    } else if (field.maxLength !== null && typeof field.default === 'string' && field.default.length > field.maxLength) {
      report({ code: 'CONFIG_INVALID_DEFAULT', origin, path, message: `default is ${field.default.length} characters long; maxLength is ${field.maxLength}` });
    }
  }
}
