/**
 * The SQL both backends generate for the structured calls. Identifiers are checked and quoted; values
 * only travel as parameters. The two dialects differ in column types and placeholders, nothing else.
 */
import { IsolaError } from '../contract/errors.js';
import { checkIdentifier, quoteIdent } from './names.js';
import type { CellValue, ColumnSpec, ColumnType, Scalar, Where } from './types.js';
import { whereSql, type Placeholder } from './where-clause.js';

export interface Dialect {
  types: Record<ColumnType, string>;
  /** A fresh placeholder factory writing into `params`. */
  placeholders(params: Scalar[]): Placeholder;
}

export const SQLITE_DIALECT: Dialect = {
  // STRICT tables would refuse a boolean; SQLite stores booleans as 0/1 integers and timestamps as text.
  types: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER', timestamp: 'TEXT', json: 'TEXT' },
  placeholders(params) {
    return (value) => {
      params.push(value);
      return '?';
    };
  },
};

export const POSTGRES_DIALECT: Dialect = {
  types: { text: 'text', integer: 'bigint', real: 'double precision', boolean: 'boolean', timestamp: 'timestamptz', json: 'jsonb' },
  placeholders(params) {
    return (value) => {
      params.push(value);
      return `$${params.length}`;
    };
  },
};

export interface Statement {
  sql: string;
  params: Scalar[];
}

function invalid(field: string, message: string): IsolaError {
  return new IsolaError('invalid_request', `Invalid request: ${field}`, { issues: [{ field, message }] });
}

export function columnDefinition(dialect: Dialect, column: ColumnSpec, field: string): string {
  checkIdentifier(column.name, `${field}.name`);
  const type = dialect.types[column.type];
  if (!type) throw invalid(`${field}.type`, `must be one of ${Object.keys(dialect.types).join(', ')}`);
  const parts = [quoteIdent(column.name), type];
  if (column.primary_key) parts.push('PRIMARY KEY');
  if (column.nullable === false) parts.push('NOT NULL');
  if (column.unique) parts.push('UNIQUE');
  return parts.join(' ');
}

export function createTableSql(dialect: Dialect, table: string, columns: ColumnSpec[]): string {
  checkIdentifier(table, 'table');
  if (columns.length === 0) throw invalid('columns', 'must list at least one column');
  const names = new Set<string>();
  const defs = columns.map((column, i) => {
    const key = column.name.toLowerCase();
    if (names.has(key)) throw invalid(`columns.${i}.name`, `duplicate column "${column.name}"`);
    names.add(key);
    return columnDefinition(dialect, column, `columns.${i}`);
  });
  if (columns.filter((c) => c.primary_key).length > 1) throw invalid('columns', 'at most one primary_key column');
  return `CREATE TABLE ${quoteIdent(table)} (${defs.join(', ')})`;
}

/** Objects and arrays (json columns) travel as JSON text; scalars as they are. */
export function toParam(value: CellValue, field: string): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, 'must be a finite number');
    return value;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  throw invalid(field, 'must be a string, number, boolean, null, object or array');
}

/** One multi-row INSERT: all rows name the same columns (missing ones are NULL). */
export function insertSql(dialect: Dialect, table: string, rows: Record<string, CellValue>[]): Statement {
  checkIdentifier(table, 'table');
  if (rows.length === 0) throw invalid('rows', 'must hold at least one row');
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (columns.length === 0) throw invalid('rows.0', 'must name at least one column');
  for (const c of columns) checkIdentifier(c, `rows.*.${c}`);
  const params: Scalar[] = [];
  const place = dialect.placeholders(params);
  const tuples = rows.map((row, r) => `(${columns.map((c) => place(toParam(row[c] ?? null, `rows.${r}.${c}`))).join(', ')})`);
  return { sql: `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`, params };
}

export function updateSql(dialect: Dialect, table: string, set: Record<string, CellValue>, where: Where): Statement {
  checkIdentifier(table, 'table');
  const entries = Object.entries(set);
  if (entries.length === 0) throw invalid('set', 'must name at least one column');
  const params: Scalar[] = [];
  const place = dialect.placeholders(params);
  const assignments = entries.map(([c, v]) => `${quoteIdent(checkIdentifier(c, `set.${c}`))} = ${place(toParam(v, `set.${c}`))}`);
  return { sql: `UPDATE ${quoteIdent(table)} SET ${assignments.join(', ')} ${whereSql(where, place)}`, params };
}

export function deleteSql(dialect: Dialect, table: string, where: Where): Statement {
  checkIdentifier(table, 'table');
  const params: Scalar[] = [];
  const place = dialect.placeholders(params);
  return { sql: `DELETE FROM ${quoteIdent(table)} ${whereSql(where, place)}`, params };
}
