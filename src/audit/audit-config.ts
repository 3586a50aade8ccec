/**
 * Where the audit repository is and where it pushes, from the applied
 * model's `audit:` section: the path resolved against the working directory,
 * `$env.NAME` in the remote read from the environment (a URL with
 * credentials stays out of the repository), and the remote shown without
 * its password in logs.
 */
import path from 'node:path';
import type { Model } from '../model/index.ts';

export interface AuditSettings {
  /** Absolute path of the bare repository. */
  gitdir: string;
  branch: string;
  /** The remote as configured (may hold `$env.NAME`); null when there is none. */
  remote: string | null;
  /** Push after commits: a remote is set and `push` is not false. */
  push: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function auditSettingsOf(model: Model, cwd: string = process.cwd()): AuditSettings {
  const { repository, branch, remote, push } = model.project.audit;
  return {
    gitdir: path.resolve(cwd, repository === '' ? '.cairn/audit.git' : repository),
    branch: branch === '' ? 'main' : branch,
    remote,
    push: remote !== null && push,
  };
}

/** The remote URL with every `$env.NAME` replaced; undefined when a variable it names is unset. */
export function resolveRemoteUrl(remote: string, env: Env = process.env): string | undefined {
  let missing = false;
  const url = remote.replace(/\$env\.([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') missing = true;
    return value ?? '';
  });
  return missing ? undefined : url;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@').replace(/\/\/[^:/@]+@/, (match) => (match.includes(':***') ? match : '//***@'));
}
