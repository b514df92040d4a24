/**
 * The first wall around `query`: exactly one statement, and it must start with SELECT, WITH or VALUES.
 * The backends add the walls that matter (SQLite: an authorizer and a read-only connection in a process
 * that can be killed; PostgreSQL: a read-only transaction as the project's own role). This lexer only
 * has to find statement boundaries, so it knows strings, quoted identifiers, comments and dollar quotes.
 */
import { IsolaError } from '../contract/errors.js';

const READ_KEYWORDS = new Set(['select', 'with', 'values']);
export const MAX_SQL_LENGTH = 100_000;

function refused(message: string): IsolaError {
  return new IsolaError('sql_refused', `SQL refused: ${message}`, { issues: [{ field: 'sql', message }] });
}

/** Index just past the quoted run that starts at `i` with `quote`; doubled quotes stay inside. */
function skipQuoted(sql: string, i: number, close: string): number {
  let j = i + 1;
  for (;;) {
    const end = sql.indexOf(close, j);
    if (end < 0) return sql.length;
    if (close.length === 1 && sql[end + 1] === close) {
      j = end + 2;
      continue;
    }
    return end + close.length;
  }
}

/** The SQL with comments removed and string contents kept intact, split at top-level semicolons. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      current += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      current += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      const end = skipQuoted(sql, i, c);
      current += sql.slice(i, end);
      i = end;
    } else if (c === '[') {
      const end = sql.indexOf(']', i);
      const stop = end < 0 ? sql.length : end + 1;
      current += sql.slice(i, stop);
      i = stop;
    } else if (c === '$') {
      // PostgreSQL dollar quoting: $$…$$ or $tag$…$tag$ (a $1 parameter is not one).
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end < 0 ? sql.length : end + tag[0].length;
        current += sql.slice(i, stop);
        i = stop;
      } else {
        current += c;
        i += 1;
      }
    } else if (c === ';') {
      statements.push(current);
      current = '';
      i += 1;
    } else {
      current += c;
      i += 1;
    }
  }
  statements.push(current);
  return statements.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Returns the statement (comments stripped, trailing `;` dropped) or throws sql_refused. */
export function checkReadStatement(sql: string): string {
  if (sql.length > MAX_SQL_LENGTH) throw refused(`longer than ${MAX_SQL_LENGTH} characters`);
  const statements = splitStatements(sql);
  if (statements.length === 0) throw refused('no statement');
  if (statements.length > 1) throw refused('one statement per query; found more after a ";"');
  const statement = statements[0] as string;
  const keyword = /^\(*\s*([A-Za-z]+)/.exec(statement)?.[1]?.toLowerCase();
  if (!keyword || !READ_KEYWORDS.has(keyword)) {
    throw refused(`only SELECT, WITH or VALUES; got ${keyword ? keyword.toUpperCase() : 'no keyword'} (writes go through insert/update/delete)`);
  }
  return statement;
}
