/**
 * Where projects keep their databases and KV state, as the operator says it: `--project-data` or
 * ISOLA_PROJECT_DATA_URL. Default (or `sqlite`): embedded SQLite files under the store dir, for one node.
 * `postgres://user:password@host:port/database`: one PostgreSQL database for every node (a role and a
 * schema per project), which needs ISOLA_PROJECT_DATA_SECRET, the same on every node: the projects' role
 * passwords and schema names are derived from it, so it must never change once data exists.
 * Portable (env is passed in); a bad value is a ProjectDataOptionsError, which `isola serve` turns into a
 * usage error (exit 2).
 */

export type ProjectDataSetting = { backend: 'sqlite' } | { backend: 'postgres'; url: string; roleSecret: string };

export class ProjectDataOptionsError extends Error {
  override readonly name = 'ProjectDataOptionsError';
}

export const MIN_SECRET_LENGTH = 16;

/** The value with any password replaced, so an error message never prints a credential. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

export function resolveProjectDataSetting(flag: string | undefined, env: Record<string, string | undefined> = {}): ProjectDataSetting {
  const value = flag ?? env['ISOLA_PROJECT_DATA_URL'];
  if (value === undefined || value === '' || value === 'sqlite') return { backend: 'sqlite' };
  const valid = /^postgres(ql)?:\/\//.test(value) && URL.canParse(value) && new URL(value).hostname !== '';
  if (!valid) {
    throw new ProjectDataOptionsError(
      `--project-data (or ISOLA_PROJECT_DATA_URL) takes sqlite or postgres://user:password@host:port/database, got ${JSON.stringify(redactUrl(value))}`,
    );
  }
  const roleSecret = env['ISOLA_PROJECT_DATA_SECRET'] ?? '';
  if (roleSecret.length < MIN_SECRET_LENGTH) {
    throw new ProjectDataOptionsError(
      `PostgreSQL project data needs ISOLA_PROJECT_DATA_SECRET (at least ${MIN_SECRET_LENGTH} characters, the same on every node): the projects' role passwords and schema names are derived from it`,
    );
  }
  return { backend: 'postgres', url: value, roleSecret };
}

/** What /readyz says of the project data. */
export interface ProjectDataHealth {
  backend: 'sqlite' | 'postgres';
  ready: boolean;
  /** host:port/database of PostgreSQL (never the credentials). */
  server?: string;
  reason?: string;
}

/** host:port/database of a PostgreSQL URL, for logs and /readyz. */
export function describeServer(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
}
