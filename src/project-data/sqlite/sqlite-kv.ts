/**
 * The embedded KV store: one table in <storeDir>/projects/<projectId>/kv.sqlite. Expired keys read as
 * absent and are removed when touched. Counted in the project's database-bytes quota.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { resolveLimits } from '../limits.js';
import { checkKey } from '../names.js';
import { checkIncrement, encodeValue, expiryOf, incremented } from '../kv-values.js';
import type { KvEntry, ProjectDataLimits, ProjectKv } from '../types.js';
import { openWriter, SqliteFiles, sqliteCodeError, sqliteError } from './sqlite-files.js';

export interface SqliteKvOptions {
  storeDir: string;
  limits?: Partial<ProjectDataLimits>;
  /** Injectable clock for TTL tests; default Date.now. */
  now?: () => number;
}

const SCHEMA = 'CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID';

interface KvRow {
  value: string;
  expires_at: number | null;
}

export class SqliteKv implements ProjectKv {
  private readonly files: SqliteFiles;
  private readonly limits: ProjectDataLimits;
  private readonly now: () => number;

  constructor(options: SqliteKvOptions) {
    this.files = new SqliteFiles(options.storeDir);
    this.limits = resolveLimits(options.limits);
    this.now = options.now ?? Date.now;
  }

  async get(projectId: string, key: string): Promise<KvEntry | undefined> {
    checkKey(key);
    const file = this.files.kvFile(projectId);
    if (!existsSync(file)) return undefined;
    return this.with(projectId, false, (db) => this.live(db, key));
  }

  async set(projectId: string, key: string, value: unknown, ttlMs?: number): Promise<KvEntry> {
    checkKey(key);
    const text = encodeValue(value, this.limits);
    const expires = expiryOf(ttlMs, this.now());
    return this.with(projectId, true, (db) => {
      db.prepare('INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at').run(key, text, expires);
      return { key, value: JSON.parse(text) as unknown, expires_at: expires };
    });
  }

  async incr(projectId: string, key: string, by = 1, ttlMs?: number): Promise<KvEntry> {
    checkKey(key);
    checkIncrement(by);
    return this.with(projectId, true, (db) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const current = this.live(db, key);
        const next = incremented(current ? current.value : 0, by, key);
        // A TTL given to incr applies when it creates the key; an existing key keeps its own expiry.
        const expires = current ? current.expires_at : expiryOf(ttlMs, this.now());
        db.prepare('INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at').run(key, JSON.stringify(next), expires);
        db.exec('COMMIT');
        return { key, value: next, expires_at: expires };
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async delete(projectId: string, key: string): Promise<boolean> {
    checkKey(key);
    if (!existsSync(this.files.kvFile(projectId))) return false;
    return this.with(projectId, false, (db) => {
      const live = this.live(db, key) !== undefined;
      db.prepare('DELETE FROM kv WHERE key = ?').run(key);
      return live;
    });
  }

  async close(): Promise<void> {}

  private live(db: DatabaseSync, key: string): KvEntry | undefined {
    const row = db.prepare('SELECT value, expires_at FROM kv WHERE key = ?').get(key) as KvRow | undefined;
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now()) {
      db.prepare('DELETE FROM kv WHERE key = ?').run(key);
      return undefined;
    }
    return { key, value: JSON.parse(row.value) as unknown, expires_at: row.expires_at };
  }

  private with<T>(projectId: string, grows: boolean, work: (db: DatabaseSync) => T): T {
    mkdirSync(this.files.projectDir(projectId), { recursive: true, mode: 0o700 });
    const file = this.files.kvFile(projectId);
    let cap: number | undefined;
    if (grows) {
      const others = this.files.projectBytes(projectId) - this.files.kvBytes(projectId);
      cap = this.limits.maxDatabaseBytes - others;
      if (cap <= 0) throw sqliteCodeError(13, 'quota');
    }
    let db: DatabaseSync | undefined;
    try {
      db = openWriter(file, cap);
      db.exec(SCHEMA);
      return work(db);
    } catch (error) {
      throw sqliteError(error);
    } finally {
      db?.close();
    }
  }
}
