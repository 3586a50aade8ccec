/**
 * The applied model as Directus describes a schema: collection, field and
 * relation records (`meta` as Directus's directus_collections /
 * directus_fields / directus_relations rows, `schema` as its database
 * inspector reports the table, column or foreign key), and the schema
 * snapshot built from them. The database side comes from the table the
 * reconciler creates for each collection, so names, types and constraints
 * are the ones PostgreSQL holds. Pure.
 */
import type { Collection, Field, Model } from '../model/index.ts';
import { tableFromCollection, type TableState } from '../reconcile/index.ts';

type Json = Record<string, unknown>;

export interface CollectionRecord {
  collection: string;
  meta: Json;
  schema: { name: string; schema: string; comment: string | null };
}

export interface FieldRecord {
  /** The field's position in the model (Directus's meta.id); the API does not show it. */
  _position: number;
  collection: string;
  field: string;
  type: string;
  meta: Json;
  /** null for o2m and m2m, which have no column (Directus's alias fields). */
  schema: Json | null;
}

export interface RelationRecord {
  _position: number;
  collection: string;
  field: string;
  related_collection: string;
  meta: Json;
  schema: Json;
}

/** Directus's field type: the model's, `alias` for o2m/m2m, and an m2o's key type. */
function directusType(model: Model, field: Field): string {
  if (field.relation?.kind === 'o2m' || field.relation?.kind === 'm2m') return 'alias';
  if (field.relation?.kind === 'm2o') return model.collections[field.relation.related]?.primaryKey.type ?? 'string';
  return field.type;
}

/** The Data Studio interface Directus would pick for the field's type (clients read it to render forms). */
function interfaceOf(field: Field): string {
  if (field.enum) return 'select-dropdown';
  if (field.special === 'user-created' || field.special === 'user-updated') return 'select-dropdown-m2o';
  switch (field.type) {
    case 'm2o':
      return 'select-dropdown-m2o';
    case 'o2m':
      return 'list-o2m';
    case 'm2m':
      return 'list-m2m';
    case 'text':
      return 'input-multiline';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'time':
    case 'dateTime':
    case 'timestamp':
      return 'datetime';
    case 'json':
      return 'input-code';
    case 'csv':
      return 'tags';
    case 'hash':
      return 'input-hash';
    default:
      return 'input';
  }
}

/** Directus's `special` flags: how it casts and fills a field. */
function specialOf(field: Field): string[] | null {
  if (field.relation) return [field.relation.kind];
  if (field.special) return [field.special];
  switch (field.type) {
    case 'boolean':
      return ['cast-boolean'];
    case 'json':
      return ['cast-json'];
    case 'csv':
      return ['cast-csv'];
    case 'hash':
      return ['hash'];
    default:
      return null;
  }
}

function fieldMeta(collection: Collection, field: Field, position: number, sort: number): Json {
  const readonly = field.special === 'date-created' || field.special === 'date-updated' || field.special === 'user-created' || field.special === 'user-updated';
  return {
    id: position,
    collection: collection.name,
    field: field.name,
    special: specialOf(field),
    interface: interfaceOf(field),
    options: field.enum ? { choices: field.enum.map((value) => ({ text: String(value), value })) } : null,
    display: null,
    display_options: null,
    readonly,
    hidden: false,
    sort,
    width: 'full',
    translations: null,
    note: field.note,
    conditions: null,
    required: field.required,
    group: null,
    validation: null,
    validation_message: null,
    searchable: true,
  };
}

function keyMeta(collection: Collection, position: number): Json {
  return {
    id: position,
    collection: collection.name,
    field: collection.primaryKey.field,
    special: collection.primaryKey.type === 'uuid' ? ['uuid'] : null,
    interface: 'input',
    options: null,
    display: null,
    display_options: null,
    readonly: true,
    hidden: true,
    sort: 1,
    width: 'full',
    translations: null,
    note: null,
    conditions: null,
    required: false,
    group: null,
    validation: null,
    validation_message: null,
    searchable: true,
  };
}

const PRECISION: Record<string, [number, number | null]> = { integer: [32, 0], bigint: [64, 0], 'double precision': [53, null] };

/** A column as Directus's schema inspector reports it, from the table the reconciler creates. */
function columnSchema(model: Model, collection: Collection, table: TableState, name: string): Json {
  const column = table.columns[name]!;
  const sized = /^(character varying|numeric)\((\d+)(?:,(\d+))?\)$/.exec(column.type);
  const dataType = sized ? sized[1]! : column.type;
  const [precision, scale] = sized?.[1] === 'numeric' ? [Number(sized[2]), Number(sized[3] ?? 0)] : (PRECISION[dataType] ?? [null, null]);
  const key = name === collection.primaryKey.field;
  const field = collection.fields[name];
  const foreignKey = Object.values(table.foreignKeys).find((fk) => fk.columns[0] === name);
  const related = foreignKey ? model.collections[foreignKey.referencedTable] : undefined;
  const indexed = key || Object.values(table.uniques).some((u) => u.columns[0] === name) || Object.values(table.indexes).some((i) => i.columns[0] === name);
  return {
    name,
    table: collection.name,
    schema: model.project.schema,
    data_type: dataType,
    default_value: field?.special === 'date-created' ? 'CURRENT_TIMESTAMP' : field && 'default' in field ? (field.default ?? null) : null,
    max_length: sized?.[1] === 'character varying' ? Number(sized[2]) : null,
    numeric_precision: precision,
    numeric_scale: scale,
    is_nullable: column.nullable,
    is_unique: key || Object.values(table.uniques).some((u) => u.columns[0] === name),
    is_indexed: indexed,
    is_primary_key: key,
    is_generated: false,
    generation_expression: null,
    has_auto_increment: column.identity !== null,
    foreign_key_schema: related ? model.project.schema : null,
    foreign_key_table: related?.name ?? null,
    foreign_key_column: related?.primaryKey.field ?? null,
    comment: field?.note ?? null,
  };
}

export function collectionRecords(model: Model): CollectionRecord[] {
  return Object.values(model.collections)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((collection, index) => ({
      collection: collection.name,
      meta: {
        collection: collection.name,
        icon: null,
        note: collection.note,
        display_template: null,
        hidden: collection.junction,
        singleton: collection.singleton,
        translations: null,
        archive_field: collection.archive?.field ?? null,
        archive_app_filter: true,
        archive_value: collection.archive ? String(collection.archive.value) : null,
        unarchive_value: null,
        sort_field: collection.sortField,
        accountability: collection.accountability === 'none' ? null : collection.accountability,
        color: null,
        item_duplication_fields: null,
        sort: index + 1,
        group: null,
        collapse: 'open',
        preview_url: null,
        versioning: collection.versioning,
      },
      schema: { name: collection.name, schema: model.project.schema, comment: collection.note },
    }));
}

/** Every field in model order: each collection's key first, then its fields as declared. */
export function fieldRecords(model: Model): FieldRecord[] {
  const records: FieldRecord[] = [];
  for (const collection of Object.values(model.collections)) {
    const table = tableFromCollection(collection);
    const key = collection.primaryKey;
    records.push({ _position: records.length + 1, collection: collection.name, field: key.field, type: key.type, meta: keyMeta(collection, records.length + 1), schema: columnSchema(model, collection, table, key.field) });
    Object.values(collection.fields).forEach((field, index) => {
      const position = records.length + 1;
      records.push({
        _position: position,
        collection: collection.name,
        field: field.name,
        type: directusType(model, field),
        meta: fieldMeta(collection, field, position, index + 2),
        schema: field.dbType === null ? null : columnSchema(model, collection, table, field.name),
      });
    });
  }
  return records;
}

/**
 * One relation per m2o (junctions' included), as Directus records them: the
 * "one" side's o2m or m2m field that reads it back, and for a junction's keys
 * the other key of the junction.
 */
export function relationRecords(model: Model): RelationRecord[] {
  const records: RelationRecord[] = [];
  const fields = Object.values(model.collections).flatMap((collection) => Object.values(collection.fields).map((field) => ({ collection, field })));
  for (const { collection, field } of fields) {
    if (field.relation?.kind !== 'm2o') continue;
    const related = model.collections[field.relation.related]!;
    let oneField: string | null = null;
    let junctionField: string | null = null;
    for (const other of fields) {
      const relation = other.field.relation;
      if (relation?.kind === 'o2m' && other.collection.name === related.name && relation.related === collection.name && relation.foreignKey === field.name) oneField ??= other.field.name;
      if (relation?.kind === 'm2m' && relation.junction === collection.name) {
        if (relation.sourceField === field.name) {
          junctionField = relation.targetField;
          if (other.collection.name === related.name) oneField ??= other.field.name;
        } else if (relation.targetField === field.name) junctionField = relation.sourceField;
      }
    }
    const position = records.length + 1;
    records.push({
      _position: position,
      collection: collection.name,
      field: field.name,
      related_collection: related.name,
      meta: {
        id: position,
        many_collection: collection.name,
        many_field: field.name,
        one_collection: related.name,
        one_field: oneField,
        one_collection_field: null,
        one_allowed_collections: null,
        junction_field: junctionField,
        sort_field: null,
        one_deselect_action: 'nullify',
      },
      schema: {
        table: collection.name,
        column: field.name,
        foreign_key_schema: model.project.schema,
        foreign_key_table: related.name,
        foreign_key_column: related.primaryKey.field,
        constraint_name: Object.values(tableFromCollection(collection).foreignKeys).find((fk) => fk.columns[0] === field.name)!.name,
        on_update: 'NO ACTION',
        on_delete: field.relation.onDelete.toUpperCase(),
      },
    });
  }
  return records;
}

/** Directus's schema snapshot (§9 of the contract): what schema-reading tools (type generators) take. */
export interface SchemaSnapshot {
  version: 1 | 2;
  directus: string;
  vendor: 'postgres';
  collections: { collection: string; meta: Json; schema: { name: string } }[];
  fields: { collection: string; field: string; type: string; meta: Json; schema: Json | null }[];
  systemFields: { collection: string; field: string; schema: { is_indexed: boolean } }[];
  relations: { collection: string; field: string; related_collection: string; meta: Json; schema: Json }[];
}

const SNAPSHOT_FIELD_SCHEMA = [
  'name', 'table', 'data_type', 'default_value', 'max_length', 'numeric_precision', 'numeric_scale', 'is_nullable', 'is_unique', 'is_indexed',
  'is_primary_key', 'is_generated', 'generation_expression', 'has_auto_increment', 'foreign_key_table', 'foreign_key_column',
];
const SNAPSHOT_RELATION_SCHEMA = ['table', 'column', 'foreign_key_table', 'foreign_key_column', 'constraint_name', 'on_update', 'on_delete'];

const pick = (value: Json, keys: readonly string[]): Json => Object.fromEntries(keys.map((key) => [key, value[key] ?? null]));
const withoutId = ({ id: _id, ...rest }: Json): Json => rest;

/** Object keys sorted at every depth, as Directus writes a snapshot. */
function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Json)[key])])) as T;
}

/**
 * The snapshot of the model's collections (`include` or `exclude` makes a
 * partial one, version 2, as Directus 12 does): arrays sorted by collection
 * (fields then in model order, relations by field), keys sorted deeply.
 */
export function schemaSnapshot(model: Model, options: { version: string; include?: readonly string[]; exclude?: readonly string[] }): SchemaSnapshot {
  const wanted = (collection: string) => (options.include ? options.include.includes(collection) : !options.exclude?.includes(collection));
  const byCollection = <T extends { collection: string }>(a: T, b: T) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0);
  return sortedKeys({
    version: options.include || options.exclude ? 2 : 1,
    directus: options.version,
    vendor: 'postgres',
    collections: collectionRecords(model).filter((c) => wanted(c.collection)).map((c) => ({ collection: c.collection, meta: c.meta, schema: { name: c.schema.name } })),
    fields: fieldRecords(model)
      .filter((f) => wanted(f.collection))
      .sort(byCollection)
      .map((f) => ({ collection: f.collection, field: f.field, type: f.type, meta: withoutId(f.meta), schema: f.schema === null ? null : pick(f.schema, SNAPSHOT_FIELD_SCHEMA) })),
    systemFields: [],
    relations: relationRecords(model)
      .filter((r) => wanted(r.collection))
      .sort((a, b) => byCollection(a, b) || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0))
      .map((r) => ({ collection: r.collection, field: r.field, related_collection: r.related_collection, meta: withoutId(r.meta), schema: pick(r.schema, SNAPSHOT_RELATION_SCHEMA) })),
  });
}
