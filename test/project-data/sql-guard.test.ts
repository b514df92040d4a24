// The statement-boundary lexer in front of `query`: semicolons inside strings, quoted identifiers,
// comments and dollar quotes are not boundaries; anything after a real one is refused.
import { describe, expect, it } from 'vitest';
import { checkReadStatement, splitStatements } from '../../src/project-data/sql-guard.js';

describe('checkReadStatement', () => {
  it.each([
    "SELECT ';' AS s",
    'SELECT ";" FROM t',
    'SELECT 1 -- ; DROP TABLE t',
    'SELECT 1 /* ; */',
    'SELECT $$;$$ AS s',
    'SELECT $tag$ ; $tag$ AS s',
    'SELECT [a;b] FROM t',
    'SELECT 1;',
    '  with x as (select 1) select * from x ;  ',
    '(SELECT 1)',
    'VALUES (1), (2)',
    "SELECT 'it''s; fine'",
  ])('accepts %s', (sql) => {
    expect(() => checkReadStatement(sql)).not.toThrow();
  });

  it.each([
    'SELECT 1; SELECT 2',
    "SELECT ';'; DROP TABLE t",
    'SELECT 1 /* x */; DELETE FROM t',
    'SELECT $$ $$; ATTACH DATABASE x AS y',
    'ATTACH DATABASE x AS y',
    'PRAGMA table_info(t)',
    'INSERT INTO t VALUES (1)',
    'SET ROLE postgres',
    'DO $$ BEGIN END $$',
    '/* only a comment */',
    '',
    'EXPLAIN SELECT 1',
  ])('refuses %s with sql_refused', (sql) => {
    expect(() => checkReadStatement(sql)).toThrow(expect.objectContaining({ code: 'sql_refused' }));
  });

  it('strips comments but keeps string contents', () => {
    expect(splitStatements("SELECT '--x' -- gone\n, 1")).toEqual(["SELECT '--x'  , 1"]);
  });
});
