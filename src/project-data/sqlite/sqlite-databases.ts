/**
 * The embedded backend: one SQLite file per database, written through node:sqlite in this process,
 * read by `query` in killable reader processes (sqlite-query-pool). node:sqlite (Node ≥ 22.5, stable
 * enough in 24) needs no native build and no download, unlike better-sqlite3.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { IsolaError } from '../../contract/errors.js';
import { resolveLimits } from '../limits.js';
import { checkIdentifier, conflict, notFound, quoteIdent } from '../names.js';
import { checkReadStatement } from '../sql-guard.js';
import { columnDefinition, createTableSql, deleteSql, insertSql, SQLITE_DIALECT, type Statement, updateSql } from '../statements.js';
import type {
  CellValue,
  ChangeResult,
  ColumnSpec,
  DatabaseInfo,
  ProjectDataLimits,
  ProjectDatabases,
  QueryResult,
  Scalar,
  TableInfo,
  Where,
} from '../types.js';
import { openWriter, SqliteFiles, sqliteCodeError, sqliteError } from './sqlite-files.js';
import { SqliteQueryPool } from './sqlite-query-pool.js';

export interface SqliteDatabasesOptions {
  storeDir: string;
  limits?: Partial<ProjectDataLimits>;
  /** Reader processes for `query`. Default 2. */
  readers?: number;
}

/** node:sqlite binds no booleans: SQLite stores them as 1/0 anyway. */
function bindable(params: Scalar[]): (string | number | null)[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export class SqliteDatabases implements ProjectDatabases {
  readonly files: SqliteFiles;
  readonly limits: ProjectDataLimits;
  private readonly pool: SqliteQueryPool;

  constructor(options: SqliteDatabasesOptions) {
    this.files = new SqliteFiles(options.storeDir);
    this.limits = resolveLimits(options.limits);
    this.pool = new SqliteQueryPool(options.readers ?? 2);
  }

  async createDatabase(projectId: string, name: string): Promise<DatabaseInfo> {
    const file = this.files.databaseFile(projectId, name);
    this.files.ensureDatabasesDir(projectId);
    try {
      // An empty file is a valid empty SQLite database; 'wx' makes the claim atomic.
      writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw conflict('database', name);
      throw error;
    }
    return { name, bytes: 0 };
  }

  async listDatabases(projectId: string): Promise<DatabaseInfo[]> {
    return this.files.databaseNames(projectId).map((name) => ({ name, bytes: fileBytes(this.files.databaseFile(projectId, name)) }));
  }

  async dropDatabase(projectId: string, name: string): Promise<void> {
    const file = this.existing(projectId, name);
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }

  async listTables(projectId: string, database: string): Promise<TableInfo[]> {
    return this.withWriter(projectId, database, false, (db) => {
      const names = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .all() as { name: string }[];
      return names.map(({ name }) => this.tableInfo(db, name));
    });
  }

  async createTable(projectId: string, database: string, table: string, columns: ColumnSpec[]): Promise<TableInfo> {
    const sql = createTableSql(SQLITE_DIALECT, table, columns);
    return this.withWriter(projectId, database, true, (db) => {
      if (this.hasTable(db, table)) throw conflict('table', table);
      db.exec(sql);
      return this.tableInfo(db, table);
    });
  }

  async createColumn(projectId: string, database: string, table: string, column: ColumnSpec): Promise<TableInfo> {
    checkIdentifier(table, 'table');
    if (column.primary_key || column.unique) {
      throw new IsolaError('invalid_request', 'Invalid request: column', {
        issues: [{ field: 'column', message: 'a column added to an existing table cannot be primary_key or unique' }],
      });
    }
    const definition = columnDefinition(SQLITE_DIALECT, column, 'column');
    return this.withWriter(projectId, database, true, (db) => {
      const info = this.requireTable(db, table);
      if (info.columns.some((c) => c.name.toLowerCase() === column.name.toLowerCase())) throw conflict('column', column.name);
      db.exec(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${definition}`);
      return this.tableInfo(db, table);
    });
  }

  async insertRows(projectId: string, database: string, table: string, rows: Record<string, CellValue>[]): Promise<ChangeResult> {
    if (rows.length > this.limits.maxInsertRows) {
      throw new IsolaError('payload_too_large', 'Too large: rows', { issues: [{ field: 'rows', message: `at most ${this.limits.maxInsertRows} rows per call` }] });
    }
    return this.change(projectId, database, table, insertSql(SQLITE_DIALECT, table, rows));
  }

  async updateRows(projectId: string, database: string, table: string, set: Record<string, CellValue>, where: Where): Promise<ChangeResult> {
    return this.change(projectId, database, table, updateSql(SQLITE_DIALECT, table, set, where));
  }

  async deleteRows(projectId: string, database: string, table: string, where: Where): Promise<ChangeResult> {
    return this.change(projectId, database, table, deleteSql(SQLITE_DIALECT, table, where));
  }

  async query(projectId: string, database: string, sql: string, params: Scalar[] = []): Promise<QueryResult> {
    const statement = checkReadStatement(sql);
    const file = this.existing(projectId, database);
    const outcome = await this.pool.run({
      file,
      sql: statement,
      params: bindable(params),
      maxRows: this.limits.maxResultRows,
      maxBytes: this.limits.maxResultBytes,
      timeoutMs: this.limits.statementTimeoutMs,
    });
    if (outcome.ok) return { rows: outcome.rows, row_count: outcome.rows.length };
    // SQLITE_TOOBIG: a value past the reader's length limit (the byte cap) was about to be built.
    if (outcome.kind === 'too_large' || (outcome.errcode & 0xff) === 18) {
      throw new IsolaError('result_too_large', `The result has ${outcome.message}; narrow it with WHERE or LIMIT`, {
        issues: [{ field: 'sql', message: `result over the cap of ${this.limits.maxResultRows} rows / ${this.limits.maxResultBytes} bytes` }],
      });
    }
    throw sqliteCodeError(outcome.errcode & 0xff, outcome.message);
  }

  /** Reader process ids (tests check none outlive close()). */
  readerPids(): number[] {
    return this.pool.pids();
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  private change(projectId: string, database: string, table: string, statement: Statement): ChangeResult {
    return this.withWriter(projectId, database, true, (db) => {
      this.requireTable(db, table);
      const result = db.prepare(statement.sql).run(...bindable(statement.params));
      return { changed: Number(result.changes) };
    });
  }

  private existing(projectId: string, name: string): string {
    const file = this.files.databaseFile(projectId, name);
    if (!existsSync(file)) throw notFound('database', name);
    return file;
  }

  /** Runs `work` on a fresh writer connection; writes get the project's remaining quota as a page cap. */
  private withWriter<T>(projectId: string, database: string, writes: boolean, work: (db: DatabaseSync) => T): T {
    const file = this.existing(projectId, database);
    let cap: number | undefined;
    if (writes) {
      const others = this.files.projectBytes(projectId) - fileBytes(file);
      cap = this.limits.maxDatabaseBytes - others;
      if (cap <= 0) throw sqliteCodeError(13, 'quota');
    }
    let db: DatabaseSync | undefined;
    try {
      db = openWriter(file, cap);
      return work(db);
    } catch (error) {
      throw sqliteError(error);
    } finally {
      db?.close();
    }
  }

  private hasTable(db: DatabaseSync, table: string): boolean {
    return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
  }

  private requireTable(db: DatabaseSync, table: string): TableInfo {
    checkIdentifier(table, 'table');
    if (!this.hasTable(db, table)) throw notFound('table', table);
    return this.tableInfo(db, table);
  }

  private tableInfo(db: DatabaseSync, table: string): TableInfo {
    const columns = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)').all(table) as {
      name: string;
      type: string;
      nn: number;
      pk: number;
    }[];
    return { name: table, columns: columns.map((c) => ({ name: c.name, type: c.type.toLowerCase(), nullable: c.nn === 0 && c.pk === 0, primary_key: c.pk > 0 })) };
  }
}
