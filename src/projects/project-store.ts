/**
 * Projects and their keys, persisted in one SQLite file under the store directory
 * (`<storeDir>/projects/projects.sqlite`). node:sqlite ships inside Node 24: no native addon to build,
 * nothing to download, and a real transactional engine rather than a JSON file rewritten on every change.
 * Every lookup an execution makes is one indexed read (key id is the primary key).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { KeyId } from './api-key.js';
import { QuotasSchema, type Quotas } from './quotas.js';

export type ProjectId = `prj_${string}`;

export interface ProjectKeyInfo {
  key_id: KeyId;
  created_at: string;
  revoked_at: string | null;
}

export interface Project {
  id: ProjectId;
  name: string;
  quotas: Quotas;
  created_at: string;
  keys: ProjectKeyInfo[];
}

/** What an execution needs to know about the key it presents. */
export interface KeyRecord {
  keyId: KeyId;
  projectId: ProjectId;
  hash: string;
  revoked: boolean;
  /** The project's quotas; undefined once the project is deleted. */
  quotas: Quotas | undefined;
}

/** Bumped when the tables change; a file written by a newer Isola is refused, not misread. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  quotas TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;
CREATE INDEX api_keys_by_project ON api_keys(project_id);
`;

export class ProjectStoreError extends Error {
  override readonly name = 'ProjectStoreError';
}

interface ProjectRow {
  id: string;
  name: string;
  quotas: string;
  created_at: string;
}

export class ProjectStore implements Disposable {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly statements: Record<'insertProject' | 'insertKey' | 'projectById' | 'allProjects' | 'keysOf' | 'allKeys' | 'deleteProject' | 'revokeProjectKeys' | 'revokeKey' | 'keyOf' | 'setQuotas' | 'keyRecord', StatementSync>;
  private closed = false;

  /** Opens (creating when missing) `<dir>/projects.sqlite`. */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, 'projects.sqlite');
    this.db = new DatabaseSync(this.path);
    try {
      // Key hashes live here: readable by the service's user only.
      chmodSync(this.path, 0o600);
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
      this.migrate();
    } catch (error) {
      this.db.close();
      throw error;
    }
    const s = (sql: string) => this.db.prepare(sql);
    this.statements = {
      insertProject: s('INSERT INTO projects (id, name, quotas, created_at) VALUES (?, ?, ?, ?)'),
      insertKey: s('INSERT INTO api_keys (key_id, project_id, hash, created_at) VALUES (?, ?, ?, ?)'),
      projectById: s('SELECT id, name, quotas, created_at FROM projects WHERE id = ?'),
      allProjects: s('SELECT id, name, quotas, created_at FROM projects ORDER BY created_at, id'),
      keysOf: s('SELECT key_id, created_at, revoked_at FROM api_keys WHERE project_id = ? ORDER BY created_at, key_id'),
      allKeys: s('SELECT key_id, project_id, created_at, revoked_at FROM api_keys ORDER BY created_at, key_id'),
      deleteProject: s('DELETE FROM projects WHERE id = ?'),
      revokeProjectKeys: s('UPDATE api_keys SET revoked_at = ? WHERE project_id = ? AND revoked_at IS NULL'),
      revokeKey: s('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ? AND project_id = ?'),
      keyOf: s('SELECT key_id, created_at, revoked_at FROM api_keys WHERE key_id = ? AND project_id = ?'),
      setQuotas: s('UPDATE projects SET quotas = ? WHERE id = ?'),
      keyRecord: s('SELECT k.key_id, k.project_id, k.hash, k.revoked_at, p.quotas FROM api_keys k LEFT JOIN projects p ON p.id = k.project_id WHERE k.key_id = ?'),
    };
  }

  private migrate(): void {
    const version = Number((this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new ProjectStoreError(`${this.path}: project store schema version ${version}, expected ${SCHEMA_VERSION} (written by another Isola version)`);
    this.transaction(() => {
      this.db.exec(SCHEMA);
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    });
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** A new project with its first key (whose secret the caller hashed). */
  createProject(name: string, quotas: Quotas, key: { keyId: KeyId; hash: string }): Project {
    const id: ProjectId = `prj_${randomBytes(16).toString('hex')}`;
    const now = new Date().toISOString();
    this.transaction(() => {
      this.statements.insertProject.run(id, name, JSON.stringify(quotas), now);
      this.statements.insertKey.run(key.keyId, id, key.hash, now);
    });
    return { id, name, quotas, created_at: now, keys: [{ key_id: key.keyId, created_at: now, revoked_at: null }] };
  }

  getProject(id: string): Project | undefined {
    const row = this.statements.projectById.get(id) as ProjectRow | undefined;
    if (!row) return undefined;
    return { ...this.project(row), keys: this.statements.keysOf.all(id) as unknown as ProjectKeyInfo[] };
  }

  listProjects(): Project[] {
    const keys = new Map<string, ProjectKeyInfo[]>();
    for (const row of this.statements.allKeys.all() as unknown as (ProjectKeyInfo & { project_id: string })[]) {
      const { project_id, ...info } = row;
      keys.set(project_id, [...(keys.get(project_id) ?? []), info]);
    }
    return (this.statements.allProjects.all() as unknown as ProjectRow[]).map((row) => ({ ...this.project(row), keys: keys.get(row.id) ?? [] }));
  }

  /** Deletes the project and revokes its keys (kept, so a deleted project's key answers "revoked"). */
  deleteProject(id: string): boolean {
    return this.transaction(() => {
      const deleted = Number(this.statements.deleteProject.run(id).changes) > 0;
      if (deleted) this.statements.revokeProjectKeys.run(new Date().toISOString(), id);
      return deleted;
    });
  }

  /** A new key for an existing project; undefined when there is no such project. */
  addKey(projectId: string, key: { keyId: KeyId; hash: string }): ProjectKeyInfo | undefined {
    return this.transaction(() => {
      if (!this.statements.projectById.get(projectId)) return undefined;
      const now = new Date().toISOString();
      this.statements.insertKey.run(key.keyId, projectId, key.hash, now);
      return { key_id: key.keyId, created_at: now, revoked_at: null };
    });
  }

  /** Revokes a key of this project (idempotent); undefined when the project has no such key. */
  revokeKey(projectId: string, keyId: string): ProjectKeyInfo | undefined {
    return this.transaction(() => {
      this.statements.revokeKey.run(new Date().toISOString(), keyId, projectId);
      return this.statements.keyOf.get(keyId, projectId) as ProjectKeyInfo | undefined;
    });
  }

  setQuotas(id: string, quotas: Quotas): boolean {
    return Number(this.statements.setQuotas.run(JSON.stringify(quotas), id).changes) > 0;
  }

  keyRecord(keyId: KeyId): KeyRecord | undefined {
    const row = this.statements.keyRecord.get(keyId) as { key_id: KeyId; project_id: ProjectId; hash: string; revoked_at: string | null; quotas: string | null } | undefined;
    if (!row) return undefined;
    return {
      keyId: row.key_id,
      projectId: row.project_id,
      hash: row.hash,
      revoked: row.revoked_at !== null,
      quotas: row.quotas === null ? undefined : QuotasSchema.parse(JSON.parse(row.quotas)),
    };
  }

  private project(row: ProjectRow): Omit<Project, 'keys'> {
    return { id: row.id as ProjectId, name: row.name, quotas: QuotasSchema.parse(JSON.parse(row.quotas)), created_at: row.created_at };
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
