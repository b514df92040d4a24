/**
 * The library's metadata: which files a project has, their names, sizes and hashes, in one SQLite file
 * (`<storeDir>/library/index.sqlite`, node:sqlite like the project store). Every query names the project,
 * so a file id is only ever found within the project that owns it. Names are unique per project.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface LibraryFile {
  id: string;
  name: string;
  size: number;
  content_type: string;
  sha256: string;
  created_at: string;
}

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (project_id, name)
) STRICT;
`;

const COLUMNS = 'id, name, size, content_type, sha256, created_at';

export class LibraryIndexError extends Error {
  override readonly name = 'LibraryIndexError';
}

export class LibraryIndex implements Disposable {
  private readonly db: DatabaseSync;
  private readonly q: Record<'list' | 'get' | 'byName' | 'used' | 'insert' | 'remove' | 'removeProject', StatementSync>;
  private closed = false;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'index.sqlite');
    this.db = new DatabaseSync(path);
    try {
      chmodSync(path, 0o600);
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
      const version = Number((this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      if (version === 0) this.db.exec(`BEGIN; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
      else if (version !== SCHEMA_VERSION) throw new LibraryIndexError(`${path}: library index schema version ${version}, expected ${SCHEMA_VERSION}`);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const s = (sql: string) => this.db.prepare(sql);
    this.q = {
      list: s(`SELECT ${COLUMNS} FROM files WHERE project_id = ? ORDER BY name`),
      get: s(`SELECT ${COLUMNS} FROM files WHERE project_id = ? AND id = ?`),
      byName: s(`SELECT ${COLUMNS} FROM files WHERE project_id = ? AND name = ?`),
      used: s('SELECT coalesce(sum(size), 0) AS used FROM files WHERE project_id = ?'),
      insert: s('INSERT INTO files (id, project_id, name, size, content_type, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      remove: s('DELETE FROM files WHERE project_id = ? AND id = ?'),
      removeProject: s('DELETE FROM files WHERE project_id = ?'),
    };
  }

  list(project: string): LibraryFile[] {
    return this.q.list.all(project) as unknown as LibraryFile[];
  }

  get(project: string, id: string): LibraryFile | undefined {
    return this.q.get.get(project, id) as LibraryFile | undefined;
  }

  byName(project: string, name: string): LibraryFile | undefined {
    return this.q.byName.get(project, name) as LibraryFile | undefined;
  }

  usedBytes(project: string): number {
    return Number((this.q.used.get(project) as { used: number }).used);
  }

  /**
   * Records a written file, replacing the project's file of the same name, in one transaction that checks
   * the quota against what is stored now (another upload may have finished meanwhile). Returns the
   * replaced file, or `over` (and changes nothing) when the quota would be exceeded.
   */
  commit(project: string, file: LibraryFile, maxBytes: number | undefined): { replaced: LibraryFile | undefined } | 'over' {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const replaced = this.byName(project, file.name);
      if (maxBytes !== undefined && this.usedBytes(project) - (replaced?.size ?? 0) + file.size > maxBytes) {
        this.db.exec('ROLLBACK');
        return 'over';
      }
      if (replaced) this.q.remove.run(project, replaced.id);
      this.q.insert.run(file.id, project, file.name, file.size, file.content_type, file.sha256, file.created_at);
      this.db.exec('COMMIT');
      return { replaced };
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  remove(project: string, id: string): LibraryFile | undefined {
    const file = this.get(project, id);
    if (file) this.q.remove.run(project, id);
    return file;
  }

  removeProject(project: string): void {
    this.q.removeProject.run(project);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
