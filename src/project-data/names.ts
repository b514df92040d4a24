/**
 * Names that reach a file path or an SQL identifier. Each is checked here, on the backend side, even
 * though the HTTP schemas check them too: the guest bridge or a library caller may not go through HTTP.
 */
import { IsolaError } from '../contract/errors.js';

/** Project ids come from the credential layer; this only guards the path and identifier they build. */
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Database names become a file name and part of a schema name: lower case, no dots, no slashes. */
export const DATABASE_NAME = /^[a-z][a-z0-9_]{0,39}$/;
/** Table and column names are quoted everywhere, and still kept to a portable, unsurprising set. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Names the backends keep for themselves. */
const RESERVED_PREFIX = /^(sqlite_|pg_|isola_)/i;
/** Keys are opaque strings, bounded. */
export const MAX_KEY_LENGTH = 512;

function invalid(field: string, message: string): IsolaError {
  return new IsolaError('invalid_request', `Invalid request: ${field}`, { issues: [{ field, message }] });
}

export function checkProjectId(projectId: string): string {
  // A bug in the caller, not the user's input: still refused rather than turned into a path.
  if (!PROJECT_ID.test(projectId)) throw invalid('(project)', 'project id must be 1-64 characters of A-Za-z0-9_-');
  return projectId;
}

export function checkDatabaseName(name: string, field = 'database'): string {
  if (!DATABASE_NAME.test(name)) {
    throw invalid(field, 'must start with a-z and hold only a-z, 0-9 and _ (at most 40 characters)');
  }
  return name;
}

export function checkIdentifier(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw invalid(field, 'must start with a letter or _ and hold only A-Za-z0-9_ (at most 63)');
  if (RESERVED_PREFIX.test(name)) throw invalid(field, 'names starting with sqlite_, pg_ or isola_ are reserved');
  return name;
}

export function checkKey(key: string, field = 'key'): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalid(field, `must be 1-${MAX_KEY_LENGTH} characters`);
  return key;
}

/** Double-quoted identifier; the checks above already exclude quotes, this is the second wall. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function notFound(what: string, name: string): IsolaError {
  // One answer for "absent" and "another project's": nothing tells a caller which it was.
  return new IsolaError('not_found', `No ${what} "${name}" in this project`);
}

export function conflict(what: string, name: string): IsolaError {
  return new IsolaError('conflict', `A ${what} named "${name}" already exists`);
}
