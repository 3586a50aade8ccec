/**
 * Builds the Model from declarations: the pure heart of config validation.
 * Returns the model and every problem found; a caller uses the model only
 * when there are no problems.
 */
import { buildPolicies, buildRoles } from './build-access.ts';
import { buildExtensions, buildFlows } from './build-automation.ts';
import { buildCollections } from './build-collections.ts';
import type { Declarations, Problem } from './declarations.ts';
import { MODEL_VERSION, type Model } from './types.ts';

export function buildModel(declarations: Declarations): { model: Model; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (problem: Problem): void => {
    problems.push(problem);
  };
  const { invalidNames } = declarations;
  // buildCollections adds the collections it refuses (names clashing by case), so references to them are not reported again.
  const invalidCollections = new Set(invalidNames.collections);
  const collections = buildCollections(declarations.collections, invalidCollections, report);
  const policies = buildPolicies({ declarations: declarations.policies, collections, invalidCollections, report });
  const roles = buildRoles({ declarations: declarations.roles, policies, invalidPolicies: invalidNames.policies, invalidRoles: invalidNames.roles, report });
  const known = { collections, invalidCollections, roles, invalidRoles: invalidNames.roles, report };
  const extensions = buildExtensions(declarations.extensions, known);
  const flows = buildFlows({ declarations: declarations.flows, extensions, invalidFlows: invalidNames.flows, invalidExtensions: invalidNames.extensions, known });

  const project = declarations.project?.doc ?? {};
  const model: Model = {
    version: MODEL_VERSION,
    project: {
      name: project.project ?? 'unnamed',
      note: project.note ?? null,
      schema: project.database?.schema ?? 'public',
      audit: {
        repository: project.audit?.repository ?? '.cairn/audit.git',
        remote: project.audit?.remote ?? null,
        branch: project.audit?.branch ?? 'main',
        push: project.audit?.push ?? true,
      },
      environments: project.environments ?? [],
      environment: declarations.environment,
    },
    collections: sortRecord(collections),
    policies: sortRecord(policies),
    roles: sortRecord(roles),
    flows: sortRecord(flows),
    extensions: sortRecord(extensions),
  };
  return { model, problems };
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
