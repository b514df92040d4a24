/** PostgreSQL failures (SQLSTATE codes) in the catalog's words. */
import { IsolaError } from '../../contract/errors.js';

export function pgError(error: unknown, context: { table?: string } = {}): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return error;
  const message = error instanceof Error ? error.message : 'PostgreSQL error';
  switch (code) {
    case '57014':
      return new IsolaError('statement_timeout', 'The statement ran past its time limit and was stopped', {
        issues: [{ field: 'sql', message: 'exceeded the statement timeout' }],
        cause: error,
      });
    case '42501': // insufficient_privilege: another schema, a superuser function, a role
    case '25006': // read_only_sql_transaction
    case '0LP01': // invalid_grant_operation
    case '28000': // invalid_authorization_specification (SET ROLE, SET SESSION AUTHORIZATION)
      return new IsolaError('sql_refused', `SQL refused: ${message}`, { issues: [{ field: 'sql', message: 'uses a refused feature' }], cause: error });
    case '42P01':
      if (context.table !== undefined) return new IsolaError('not_found', `No table "${context.table}" in this project`, { cause: error });
      break;
    case '42P07':
    case '42701':
    case '42P06':
      return new IsolaError('conflict', `Already exists: ${message}`, { cause: error });
    case '53100':
      return new IsolaError('database_quota_exceeded', 'The database ran out of space', { cause: error });
    default:
      break;
  }
  // Connection failures and the server's own trouble are ours; the rest is the statement's.
  if (/^(08|53|57|58|XX)/.test(code)) return error;
  return new IsolaError('sql_failed', `SQL failed: ${message}`, { cause: error });
}
