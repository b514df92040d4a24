/**
 * Where a project's SQLite files live, and the connections the backend itself writes through.
 * Layout: <storeDir>/projects/<projectId>/databases/<name>.sqlite and <storeDir>/projects/<projectId>/kv.sqlite.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { constants, DatabaseSync } from 'node:sqlite';
import { IsolaError } from '../../contract/errors.js';
import { checkDatabaseName, checkProjectId } from '../names.js';

export class SqliteFiles {
  private readonly root: string;

  constructor(storeDir: string) {
    this.root = resolve(storeDir, 'projects');
  }

  projectDir(projectId: string): string {
    return this.inside(join(this.root, checkProjectId(projectId)));
  }

  databasesDir(projectId: string): string {
    return join(this.projectDir(projectId), 'databases');
  }

  databaseFile(projectId: string, name: string): string {
    return this.inside(join(this.databasesDir(projectId), `${checkDatabaseName(name)}.sqlite`));
  }

  kvFile(projectId: string): string {
    return join(this.projectDir(projectId), 'kv.sqlite');
  }

  kvBytes(projectId: string): number {
    try {
      return statSync(this.kvFile(projectId)).size;
    } catch {
      return 0;
    }
  }

  ensureDatabasesDir(projectId: string): string {
    const dir = this.databasesDir(projectId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Names of the project's databases, from the files on disk. */
  databaseNames(projectId: string): string[] {
    let entries: string[];
    try {
      entries = readdirSync(this.databasesDir(projectId));
    } catch {
      return [];
    }
    return entries
      .filter((f) => f.endsWith('.sqlite'))
      .map((f) => f.slice(0, -'.sqlite'.length))
      .sort();
  }

  /** Bytes on disk of every SQLite file of the project (databases, journals and the KV file). */
  projectBytes(projectId: string): number {
    let total = 0;
    const add = (file: string) => {
      try {
        total += statSync(file).size;
      } catch {
        // absent
      }
    };
    for (const name of this.databaseNames(projectId)) {
      const file = this.databaseFile(projectId, name);
      add(file);
      add(`${file}-journal`);
      add(`${file}-wal`);
    }
    add(this.kvFile(projectId));
    return total;
  }

  /** The second wall after the name checks: no path may leave <storeDir>/projects. */
  private inside(path: string): string {
    const full = resolve(path);
    if (!full.startsWith(this.root + sep)) throw new IsolaError('invalid_request', 'Invalid request: (path)');
    return full;
  }
}

/** The only PRAGMAs the backend's own statements use (pragma_table_info in listTables). */
const WRITER_PRAGMAS = new Set(['table_info']);

function writerAuthorize(action: number, arg1: string | null, arg2: string | null): number {
  if (action === constants.SQLITE_ATTACH || action === constants.SQLITE_DETACH) return constants.SQLITE_DENY;
  if (action === constants.SQLITE_PRAGMA) return arg1 !== null && WRITER_PRAGMAS.has(arg1) ? constants.SQLITE_OK : constants.SQLITE_DENY;
  if (action === constants.SQLITE_FUNCTION && arg2 === 'load_extension') return constants.SQLITE_DENY;
  return constants.SQLITE_OK;
}

/**
 * A connection for the backend's own generated statements. `maxBytes` caps the file's growth through
 * max_page_count, so a write past the project's quota fails inside SQLite (SQLITE_FULL), atomically.
 */
export function openWriter(file: string, maxBytes?: number): DatabaseSync {
  const db = new DatabaseSync(file, { allowExtension: false, timeout: 2_000, enableForeignKeyConstraints: true, limits: { attach: 0 } });
  try {
    if (maxBytes !== undefined) {
      const pageSize = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
      db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
    }
    db.setAuthorizer(writerAuthorize);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** SQLite's own failures in the catalog's words. */
export function sqliteError(error: unknown): unknown {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return error;
  const message = typeof e.message === 'string' ? e.message : 'SQLite error';
  return sqliteCodeError(e.errcode & 0xff, message, error);
}

export function sqliteCodeError(primaryCode: number, message: string, cause?: unknown): IsolaError {
  if (primaryCode === 13) {
    return new IsolaError('database_quota_exceeded', "The write would take the project's databases past their byte quota", { cause });
  }
  if (primaryCode === 23) {
    return new IsolaError('sql_refused', `SQL refused: ${message}`, { issues: [{ field: 'sql', message: 'uses a refused feature' }], cause });
  }
  return new IsolaError('sql_failed', `SQL failed: ${message}`, { cause });
}
