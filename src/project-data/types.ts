/**
 * Project data: per-project databases and a key-value store. Every call takes the project id first; the
 * caller (the HTTP layer, later the guest bridge) decides it from the credential, never from a body.
 * Two backends implement these interfaces: embedded SQLite files (one node) and PostgreSQL (several).
 */

/** A JSON scalar as stored in a cell or bound as a parameter. */
export type Scalar = string | number | boolean | null;
/** A cell value on the way in: json columns also take objects and arrays (stored as JSON text). */
export type CellValue = Scalar | Record<string, unknown> | unknown[];
export type Row = Record<string, unknown>;

export const COLUMN_TYPES = ['text', 'integer', 'real', 'boolean', 'timestamp', 'json'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Default true. */
  nullable?: boolean;
  primary_key?: boolean;
  unique?: boolean;
}

/** One condition per column, all ANDed: a bare scalar means equality (null means IS NULL). */
export type Condition =
  | Scalar
  | {
      eq?: Scalar;
      ne?: Scalar;
      lt?: Scalar;
      lte?: Scalar;
      gt?: Scalar;
      gte?: Scalar;
      in?: Scalar[];
      like?: string;
      is_null?: boolean;
    };
export type Where = Record<string, Condition>;

export interface DatabaseInfo {
  name: string;
  /** Bytes the database occupies (file size for SQLite, relation sizes for PostgreSQL). */
  bytes: number;
}

export interface TableInfo {
  name: string;
  columns: { name: string; type: string; nullable: boolean; primary_key: boolean }[];
}

export interface QueryResult {
  rows: Row[];
  row_count: number;
}

export interface ChangeResult {
  changed: number;
}

export interface ProjectDatabases {
  createDatabase(projectId: string, name: string): Promise<DatabaseInfo>;
  listDatabases(projectId: string): Promise<DatabaseInfo[]>;
  dropDatabase(projectId: string, name: string): Promise<void>;
  listTables(projectId: string, database: string): Promise<TableInfo[]>;
  createTable(projectId: string, database: string, table: string, columns: ColumnSpec[]): Promise<TableInfo>;
  createColumn(projectId: string, database: string, table: string, column: ColumnSpec): Promise<TableInfo>;
  insertRows(projectId: string, database: string, table: string, rows: Record<string, CellValue>[]): Promise<ChangeResult>;
  /** `where` must name at least one column: an unconditional update is a mistake more often than not. */
  updateRows(projectId: string, database: string, table: string, set: Record<string, CellValue>, where: Where): Promise<ChangeResult>;
  deleteRows(projectId: string, database: string, table: string, where: Where): Promise<ChangeResult>;
  /**
   * One read-only statement (SELECT, WITH or VALUES) in the backend's own dialect (`?` parameters for
   * SQLite, `$1` for PostgreSQL), bounded by the statement timeout and the result caps.
   */
  query(projectId: string, database: string, sql: string, params?: Scalar[]): Promise<QueryResult>;
  close(): Promise<void>;
}

export interface KvEntry {
  key: string;
  value: unknown;
  /** Epoch milliseconds, or null for no expiry. */
  expires_at: number | null;
}

export interface ProjectKv {
  get(projectId: string, key: string): Promise<KvEntry | undefined>;
  /** `ttlMs` undefined keeps the value forever. */
  set(projectId: string, key: string, value: unknown, ttlMs?: number): Promise<KvEntry>;
  /** Adds `by` (default 1) to an integer value, creating it at 0 first; refuses a non-integer value. */
  incr(projectId: string, key: string, by?: number, ttlMs?: number): Promise<KvEntry>;
  /** True when a live key was removed. */
  delete(projectId: string, key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Limits shared by both backends; each has a safe default (see limits.ts). */
export interface ProjectDataLimits {
  /** Wall time of one `query` statement. */
  statementTimeoutMs: number;
  /** Most rows one `query` may return; more is an error, not a silent cut. */
  maxResultRows: number;
  /** Most bytes (JSON of the rows) one `query` may return. */
  maxResultBytes: number;
  /** Bytes all databases of one project may take; writes past it are refused. */
  maxDatabaseBytes: number;
  /** Most rows one insertRows call takes. */
  maxInsertRows: number;
  /** Largest KV value, as JSON bytes. */
  maxKvValueBytes: number;
}
