/**
 * The structured where clause of updateRows/deleteRows, turned into parameterised SQL. Column names are
 * checked and quoted, values only ever travel as parameters, so nothing in a where clause is SQL.
 */
import { IsolaError } from '../contract/errors.js';
import { checkIdentifier, quoteIdent } from './names.js';
import type { Condition, Scalar, Where } from './types.js';

/** Appends a parameter and returns its placeholder (`?` for SQLite, `$n` for PostgreSQL). */
export type Placeholder = (value: Scalar) => string;

const OPERATORS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=', like: 'LIKE' } as const;

function invalid(field: string, message: string): IsolaError {
  return new IsolaError('invalid_request', `Invalid request: ${field}`, { issues: [{ field, message }] });
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function conditionSql(column: string, condition: Condition, place: Placeholder, field: string): string[] {
  const col = quoteIdent(column);
  if (condition === null) return [`${col} IS NULL`];
  if (isScalar(condition)) return [`${col} = ${place(condition)}`];
  const parts: string[] = [];
  for (const [op, value] of Object.entries(condition)) {
    if (op === 'is_null') {
      if (typeof value !== 'boolean') throw invalid(`${field}.is_null`, 'must be a boolean');
      parts.push(value ? `${col} IS NULL` : `${col} IS NOT NULL`);
    } else if (op === 'in') {
      if (!Array.isArray(value) || value.length === 0 || value.length > 1000 || !value.every(isScalar)) {
        throw invalid(`${field}.in`, 'must be an array of 1-1000 scalars');
      }
      parts.push(`${col} IN (${value.map((v) => place(v)).join(', ')})`);
    } else if (op in OPERATORS) {
      if (!isScalar(value)) throw invalid(`${field}.${op}`, 'must be a string, number, boolean or null');
      parts.push(`${col} ${OPERATORS[op as keyof typeof OPERATORS]} ${place(value)}`);
    } else {
      throw invalid(`${field}.${op}`, `unknown operator; use one of ${[...Object.keys(OPERATORS), 'in', 'is_null'].join(', ')}`);
    }
  }
  if (parts.length === 0) throw invalid(field, 'names no operator');
  return parts;
}

/** `WHERE …` for a non-empty where clause; an empty one is refused (see ProjectDatabases.updateRows). */
export function whereSql(where: Where, place: Placeholder): string {
  const entries = Object.entries(where);
  if (entries.length === 0) throw invalid('where', 'must name at least one column');
  const parts = entries.flatMap(([column, condition]) => {
    checkIdentifier(column, `where.${column}`);
    return conditionSql(column, condition, place, `where.${column}`);
  });
  return `WHERE ${parts.join(' AND ')}`;
}
