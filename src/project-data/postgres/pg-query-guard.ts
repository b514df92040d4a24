/**
 * The query-time wall that keeps other tenants' names out of a project's reach in PostgreSQL. Rows are
 * already out of reach (the project's role has no privilege on another schema), but names are not: the
 * catalog's output functions and lookups run without privilege checks, so `16400::regclass`,
 * `pg_describe_object(...)`, `(10).pg_get_userbyid` or the error of a guessed `other.table` would name
 * another project's schemas, tables, columns and roles.
 *
 * So the exact text sent to the server is parsed first with PostgreSQL's own parser (libpg-query, the
 * server's grammar compiled to Wasm) and walked: it must be one SELECT, every function and cast type must
 * be on the allow-lists in pg-allowed-names.ts, every relation must be unqualified (so it resolves in the
 * project's own schema through the pinned search_path, or fails naming only what the caller wrote) and
 * may not be a catalog relation, and no field selection may hide a function call (attribute notation).
 */
import { IsolaError } from '../../contract/errors.js';
import { ALLOWED_FUNCTIONS, ALLOWED_TYPES } from './pg-allowed-names.js';

/** Statements that write; a SELECT may hold one only in a CTE, and a project query holds none. */
const WRITING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function refused(message: string): IsolaError {
  return new IsolaError('sql_refused', `SQL refused: ${message}`, { issues: [{ field: 'sql', message }] });
}

/** The names of a qualified-name list (`[{String: {sval}}]`), as the parser leaves them (unquoted: lower case). */
function qualifiedName(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const sval = (item as { String?: { sval?: unknown } }).String?.sval;
    return typeof sval === 'string' ? sval : '';
  });
}

/** `[name]` or `[pg_catalog, name]`: the name when allowed, a refusal otherwise. */
function checkName(parts: string[], allowed: ReadonlySet<string>, what: string): void {
  const name = parts.at(-1) ?? '';
  const qualifier = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || (parts.length === 2 && qualifier !== 'pg_catalog')) {
    throw refused(`${what} ${parts.join('.')}: a project query may not name another schema`);
  }
  // Exact case: a quoted "COUNT" is another name than count, and the server would look up that one.
  if (!allowed.has(name)) throw refused(`${what} ${name} is not available to project queries`);
}

function checkRangeVar(node: { schemaname?: string; catalogname?: string; relname?: string }): void {
  if (node.schemaname !== undefined || node.catalogname !== undefined) {
    throw refused(`${[node.catalogname, node.schemaname, node.relname].filter(Boolean).join('.')}: a project query may not name another schema`);
  }
  if (/^pg_/i.test(node.relname ?? '')) throw refused(`${node.relname}: the system catalog is not available to project queries`);
}

function checkColumnRef(node: { fields?: unknown[] }): void {
  // schema.table.column (or table.column.function in attribute notation) names more than this project's rows.
  if ((node.fields?.length ?? 0) > 2) throw refused('a column reference may name at most table.column');
}

function checkIndirection(node: { indirection?: unknown[] }): void {
  // `(expr).name` calls the function `name` on expr when expr has no such field: `(10).pg_get_userbyid`.
  // Subscripts (`[1]`) and `.*` are fine; the API creates no composite columns, so a name has no use.
  for (const step of node.indirection ?? []) {
    if (step && typeof step === 'object' && 'String' in step) throw refused('field selection (expr).name is not available to project queries');
  }
}

/** Operators, collations and sampling methods may be named plainly or in pg_catalog, never in another schema. */
function checkQualifier(list: unknown, what: string): void {
  const parts = qualifiedName(list);
  if (parts.length > 1 && (parts.length > 2 || parts[0] !== 'pg_catalog')) throw refused(`${what} ${parts.join('.')}: a project query may not name another schema`);
}

function walk(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (WRITING_NODES.has(key)) throw refused('a project query only reads; writes go through insert/update/delete');
    switch (key) {
      case 'intoClause':
        throw refused('SELECT INTO creates a table; a project query only reads');
      case 'FuncCall':
        checkName(qualifiedName((child as { funcname?: unknown }).funcname), ALLOWED_FUNCTIONS, 'function');
        break;
      case 'typeName':
      case 'TypeName': {
        const type = child as { names?: unknown; pct_type?: boolean };
        if (type.pct_type) throw refused('%TYPE is not available to project queries');
        checkName(qualifiedName(type.names), ALLOWED_TYPES, 'type');
        break;
      }
      case 'RangeVar':
        checkRangeVar(child as Parameters<typeof checkRangeVar>[0]);
        break;
      case 'ColumnRef':
        checkColumnRef(child as Parameters<typeof checkColumnRef>[0]);
        break;
      case 'A_Indirection':
        checkIndirection(child as Parameters<typeof checkIndirection>[0]);
        break;
      case 'A_Expr':
        checkQualifier((child as { name?: unknown }).name, 'operator');
        break;
      case 'useOp':
      case 'operName':
        checkQualifier(child, 'operator');
        break;
      case 'collname':
        checkQualifier(child, 'collation');
        break;
      case 'RangeTableSample':
        checkQualifier((child as { method?: unknown }).method, 'sampling method');
        break;
      default:
        break;
    }
    walk(child);
  }
}

/** Compiles the parser's Wasm ahead of the first query (≈ 200 ms), so no caller waits for it. */
export function preloadProjectQueryGuard(): void {
  import('libpg-query')
    .then((module) => module.loadModule())
    .catch(() => undefined);
}

/**
 * Throws sql_refused unless `sql` is one SELECT that names only allowed functions and types and the
 * project's own relations; sql_failed when PostgreSQL's grammar does not parse it.
 */
export async function checkProjectQuery(sql: string): Promise<void> {
  // Loaded on first use: the parser's Wasm costs a node that keeps its project data in SQLite nothing.
  const { parse } = await import('libpg-query');
  let tree: { stmts?: { stmt?: Record<string, unknown> }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (error) {
    const message = error instanceof Error ? error.message : 'syntax error';
    throw new IsolaError('sql_failed', `SQL failed: ${message}`, { issues: [{ field: 'sql', message }], cause: error });
  }
  const statements = tree.stmts ?? [];
  const only = statements[0]?.stmt;
  if (statements.length !== 1 || !only || !('SelectStmt' in only)) throw refused('one SELECT statement per query');
  walk(only);
}
