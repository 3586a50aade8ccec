/**
 * Start-up of `cairn serve`: build the context, migrate the system tables,
 * make the first admin and ADMIN_TOKEN its static token, listen. Returns a
 * handle whose close() shuts down in order: stop accepting, finish
 * in-flight requests, let the audit writer finish its commit, close the
 * database.
 */
import type { FastifyInstance } from 'fastify';
import { closeContext, createContext, publicUrl, type Context, type Logger, type Settings } from '../context/index.ts';
import { loadMigrations, migrate } from '../db/index.ts';
import type { Model } from '../model/index.ts';
import { planAndApply, type Plan } from '../reconcile/index.ts';
import { bootstrapAdminAccess } from '../services/index.ts';
import { buildServer } from './build-server.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly context: Context;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

export interface ServeProject {
  model: Model;
  hash: string;
  source: Plan['source'];
}

export async function startServer(options: { settings: Settings; logger: Logger; project?: ServeProject }): Promise<RunningServer> {
  const { settings, logger } = options;
  const context = await createContext({ settings, logger });
  try {
    logger.info({ database: context.db.location, driver: context.db.driver }, 'database opened');
    const report = await migrate(context.db, await loadMigrations());
    if (report.error) throw report.error;
    const applied = report.steps.filter((step) => step.status === 'applied').map((step) => step.version);
    if (applied.length > 0) logger.info({ applied, ms: report.durationMs }, 'system tables migrated');

    if (options.project) await applyProject(context, options.project);
    await context.models.reload();
    await context.models.start();
    await context.identity.start();
    await context.audit.start();
    await context.flows.start();

    const { created: admin } = await bootstrapAdminAccess(context);
    const server = buildServer(context);
    await server.listen({ port: settings.port, host: settings.host });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    const url = publicUrl(settings.host, port);
    // The admin line comes first: whoever waits for "listening" (a supervisor, a test) has seen it by then.
    if (admin) {
      const password = admin.generatedPassword ?? '(the value of ADMIN_PASSWORD)';
      logger.warn(
        { adminEmail: admin.email, ...(admin.generatedPassword ? { adminPassword: admin.generatedPassword } : {}) },
        `Created the first admin user. Email: ${admin.email}  Password: ${password}  (shown once)`,
      );
    }
    logger.info({ url, version: context.version }, `Cairn ${context.version} is listening at ${url}`);
    return {
      url,
      port,
      context,
      server,
      async close() {
        await server.close();
        await closeContext(context);
      },
    };
  } catch (error) {
    await closeContext(context);
    throw error;
  }
}

/**
 * `cairn serve --project <dir>`: apply the repository before serving, as
 * `cairn apply --auto-approve` would (destructive changes are refused, never
 * assumed). The embedded default uses it: `npm start` serves the template.
 */
async function applyProject(context: Context, project: ServeProject): Promise<void> {
  const { report, plan } = await planAndApply({
    db: context.db,
    model: project.model,
    modelHash: project.hash,
    source: project.source,
    appliedBy: 'cairn serve',
  });
  if (report.error) throw report.error;
  if (report.status === 'applied') {
    context.logger.info({ project: project.source.description, changes: plan?.changes.length ?? 0, ms: report.durationMs }, 'project applied');
  }
}
