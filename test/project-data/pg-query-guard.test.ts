// The PostgreSQL project-query guard on its own (no server): ordinary read queries pass, with the SQL
// syntax the parser turns into pg_catalog calls and casts; the attack suite (test/attacks/
// postgres-name-leak.test.ts) shows against a real server what it refuses and why.
import { describe, expect, it } from 'vitest';
import { checkProjectQuery } from '../../src/project-data/postgres/pg-query-guard.js';

const ORDINARY = [
  'SELECT * FROM orders',
  'SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name ILIKE $1 ORDER BY o.total DESC LIMIT 10',
  "SELECT EXTRACT(year FROM created_at) AS y, date_trunc('month', created_at) AS m, count(*) FROM orders GROUP BY 1, 2",
  "SELECT now() - interval '1 day' AS since, created_at AT TIME ZONE 'UTC' AS utc, CURRENT_DATE AS today",
  "SELECT substring(name FROM 2 FOR 3), trim(BOTH ' ' FROM name), position('a' IN name), name SIMILAR TO '%a%' FROM customers",
  "SELECT total::int, total::double precision, CAST(total AS numeric(10, 2)), '42'::bigint, id::text, flag::boolean FROM orders",
  "SELECT data ->> 'k' AS k, data -> 'a' -> 0 AS first, jsonb_array_length(data -> 'a') AS n FROM docs WHERE data ? 'k'",
  'SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY total) AS r, sum(total) FILTER (WHERE total > 0) OVER () FROM orders',
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c',
  'SELECT COALESCE(name, $1), NULLIF(a, b), GREATEST(a, b), CASE WHEN a > 1 THEN 1 ELSE 0 END FROM t WHERE id = ANY($2) AND a BETWEEN 1 AND 5',
  'SELECT * FROM (VALUES (1, $1), (2, $2)) v(a, b)',
  "SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(a int, b text)",
  'SELECT t.* FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id) ORDER BY name COLLATE "C"',
  'TABLE orders',
];

describe('PostgreSQL project-query guard', () => {
  it.each(ORDINARY)('lets an ordinary read through: %s', async (sql) => {
    await expect(checkProjectQuery(sql)).resolves.toBeUndefined();
  });

  it.each([
    ['a quoted upper-case twin of an allowed function', 'SELECT "COUNT"(*) FROM t', /function COUNT/],
    ['an operator inside ANY from another schema', 'SELECT 1 OPERATOR(d_x.=) ANY (ARRAY[1])', /operator d_x\.=/],
    ['a collation from another schema', 'SELECT name COLLATE d_x."C" FROM t', /collation d_x\.C/],
    ['a sampling method from another schema', 'SELECT * FROM t TABLESAMPLE d_x.bernoulli(10)', /sampling method/],
    ['two statements', 'SELECT 1; SELECT 2', /one SELECT/],
  ])('refuses %s', async (_name, sql, message) => {
    await expect(checkProjectQuery(sql)).rejects.toMatchObject({ code: 'sql_refused', message: expect.stringMatching(message) });
  });

  it('answers a syntax error as sql_failed', async () => {
    await expect(checkProjectQuery('SELECT FROM WHERE')).rejects.toMatchObject({ code: 'sql_failed' });
  });
});
