/** GET /server/info's body (Directus's `{project}`, plus what Cairn serves: the applied model), for REST and GraphQL alike. */
import type { Context } from '../context/index.ts';

export interface ServerInfo {
  project: { project_name: string | null };
  cairn: { model_hash: string | null; applied_at: Date | null; collections: string[] };
}

export function serverInfo(context: Pick<Context, 'models'>): ServerInfo {
  const applied = context.models.current();
  return {
    project: { project_name: applied?.model.project.name ?? null },
    cairn: {
      model_hash: applied?.hash ?? null,
      applied_at: applied?.appliedAt ?? null,
      collections: applied ? Object.values(applied.model.collections).filter((c) => !c.junction).map((c) => c.name).sort() : [],
    },
  };
}
