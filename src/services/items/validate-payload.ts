/**
 * Stage one of a write: a payload checked against the model and turned into
 * column values. Unknown fields, wrong types, values too long, outside the
 * enum or out of range, and missing required fields are refused with the
 * field named; special fields are filled in here. Pure.
 */
import { FailedValidationError, InvalidPayloadError, ValueOutOfRangeError, ValueTooLongError } from '../../errors/index.ts';
import { fitsFormat, isInt32, type Collection, type Field } from '../../model/index.ts';

export interface ValidatedPayload {
  /** Column → value, ready to bind (json as JSON text). */
  values: Record<string, unknown>;
  /** Fields of type hash whose values still need hashing before they are written. */
  hashes: string[];
  /** m2o fields given as an object: the related item to create or update, then link. */
  relatedOne: Record<string, Record<string, unknown>>;
  /** o2m and m2m fields: an array of items/keys, or {create, update, delete}. Checked when written. */
  relatedMany: Record<string, unknown>;
}

export function validatePayload(options: { collection: Collection; payload: unknown; mode: 'create' | 'update'; user: string | null; now: Date }): ValidatedPayload {
  const { collection, payload, mode } = options;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new InvalidPayloadError({ reason: `An item of "${collection.name}" has to be a JSON object` });
  const values: Record<string, unknown> = {};
  const hashes: string[] = [];
  const relatedOne: Record<string, Record<string, unknown>> = {};
  const relatedMany: Record<string, unknown> = {};
  const key = collection.primaryKey;
  for (const [name, value] of Object.entries(payload as Record<string, unknown>)) {
    if (name === key.field) {
      // Generated keys are the database's; a string key is the caller's to give on create.
      if (mode === 'create' && value !== undefined && value !== null) values[name] = keyValue(collection, value);
      continue;
    }
    const field = collection.fields[name];
    if (!field) throw new InvalidPayloadError({ reason: `Field "${name}" does not exist in collection "${collection.name}"` });
    if (field.special !== null) continue; // filled in below, whatever the caller sent
    if (field.relation?.kind === 'o2m' || field.relation?.kind === 'm2m') {
      if (value !== null && value !== undefined) relatedMany[name] = value;
      continue;
    }
    if (field.relation?.kind === 'm2o' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      relatedOne[name] = value as Record<string, unknown>;
      continue;
    }
    values[name] = fieldValue(collection, field, value);
    if (field.type === 'hash' && values[name] !== null) hashes.push(name);
  }
  for (const field of Object.values(collection.fields)) {
    if (field.special === 'user-created' && mode === 'create') values[field.name] = options.user;
    if (field.special === 'user-updated') values[field.name] = options.user;
    if (field.special === 'date-updated') values[field.name] = field.type === 'date' ? options.now.toISOString().slice(0, 10) : options.now.toISOString();
    if (mode === 'create' && field.required && field.dbType !== null && field.special === null && !('default' in field) && !(field.name in relatedOne) && (values[field.name] === undefined || values[field.name] === null)) {
      throw new FailedValidationError({ field: field.name, type: 'required' });
    }
  }
  if (mode === 'create' && key.type === 'string' && values[key.field] === undefined) throw new FailedValidationError({ field: key.field, type: 'required' });
  return { values, hashes, relatedOne, relatedMany };
}

function keyValue(collection: Collection, value: unknown): unknown {
  const { type, field } = collection.primaryKey;
  if (type === 'integer' || type === 'bigInteger') return integerValue(collection, field, value, type === 'integer');
  if (typeof value !== 'string' || !fitsFormat(type, value) || (type === 'string' && value.length > 255)) {
    throw new InvalidPayloadError({ reason: `"${field}" has to be a ${type} key` });
  }
  return value;
}

function integerValue(collection: Collection, field: string, value: unknown, int32: boolean): number | string {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number)) throw new InvalidPayloadError({ reason: `"${field}" has to be a whole number` });
  if (!Number.isSafeInteger(number) || (int32 && !isInt32(number))) throw new ValueOutOfRangeError({ collection: collection.name, field });
  return number;
}

function fieldValue(collection: Collection, field: Field, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (!field.nullable) throw new FailedValidationError({ field: field.name, type: 'nnull' });
    return null;
  }
  const wrong = (what: string): never => {
    throw new InvalidPayloadError({ reason: `"${field.name}" has to be ${what}` });
  };
  let result: unknown;
  switch (field.relation?.kind === 'm2o' ? 'm2o' : field.type) {
    case 'm2o':
      // The related item's key; the database checks that it exists (INVALID_FOREIGN_KEY).
      result = typeof value === 'object' ? wrong('the key of the related item, or the related item as an object') : value;
      break;
    case 'string':
    case 'text':
    case 'hash':
      if (typeof value !== 'string') wrong('a string');
      if (field.maxLength !== null && (value as string).length > field.maxLength) throw new ValueTooLongError({ collection: collection.name, field: field.name });
      result = value;
      break;
    case 'integer':
    case 'bigInteger':
      result = integerValue(collection, field.name, value, field.type === 'integer');
      break;
    case 'float':
    case 'decimal': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) wrong('a number');
      result = field.type === 'decimal' && typeof value === 'string' ? value : number;
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') wrong('true or false');
      result = value;
      break;
    case 'json':
      result = JSON.stringify(value);
      break;
    case 'csv': {
      const items = typeof value === 'string' ? value.split(',') : value;
      if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) wrong('a list of strings');
      result = items;
      break;
    }
    default:
      if (typeof value !== 'string' || !fitsFormat(field.type, value)) wrong(`a ${field.type} value`);
      result = value;
  }
  if (field.enum && !field.enum.includes(result as string | number)) {
    throw new FailedValidationError({ field: field.name, type: 'in', valid: field.enum });
  }
  return result;
}
