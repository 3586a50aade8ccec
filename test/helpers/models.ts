/** Models built in tests from plain documents, without files: `modelOf({ notes: { fields: {...} } })`. */
import { expect } from 'vitest';
import { buildModel, type Declaration, type Declarations, type Model } from '../../src/model/index.ts';

type Docs = Record<string, unknown>[];

/** Declarations from documents; each kind's origin is `<folder>/<name>.yaml`. */
export function declarationsOf(parts: {
  collections?: Record<string, Record<string, unknown>>;
  policies?: Docs;
  roles?: Docs;
  flows?: Docs;
  extensions?: (Record<string, unknown> & { bundleFiles?: string[] })[];
}): Declarations {
  const declare = (folder: string, key: string) => (doc: Record<string, unknown>): Declaration => ({ origin: `${folder}/${String(doc[key])}.yaml`, doc });
  return {
    project: { origin: 'cairn.yaml', doc: { project: 'p' } },
    collections: Object.entries(parts.collections ?? {}).map(([name, doc]) => declare('collections', 'collection')({ collection: name, ...doc })),
    policies: (parts.policies ?? []).map(declare('policies', 'policy')),
    roles: (parts.roles ?? []).map(declare('roles', 'role')),
    flows: (parts.flows ?? []).map(declare('flows', 'flow')),
    extensions: (parts.extensions ?? []).map(({ bundleFiles, ...doc }) => ({ ...declare('extensions', 'extension')(doc), bundleFiles: bundleFiles ?? ['index.js'] })),
    invalidNames: { collections: new Set(), policies: new Set(), roles: new Set(), flows: new Set(), extensions: new Set() },
    environment: null,
  };
}

/** A valid model (the test fails if the documents have problems). */
export function modelOf(collections: Record<string, Record<string, unknown>>, more: Omit<Parameters<typeof declarationsOf>[0], 'collections'> = {}): Model {
  const { model, problems } = buildModel(declarationsOf({ collections, ...more }));
  expect(problems).toEqual([]);
  return model;
}
