/**
 * The PostgreSQL KV store: the `kv` table in the project's own schema, reached as the project's role
 * (see pg-tenants.ts). incr is one atomic upsert, so concurrent increments from several nodes add up.
 */
import type { PoolClient } from 'pg';
import { IsolaError } from '../../contract/errors.js';
import { checkKey } from '../names.js';
import { checkIncrement, encodeValue, expiryOf, notAnInteger } from '../kv-values.js';
import type { KvEntry, ProjectKv } from '../types.js';
import { extended, type PostgresTenancy } from './pg-databases.js';
import { pgError } from './pg-errors.js';

interface KvRow {
  value: unknown;
  expires_at: string | null;
}

const entry = (key: string, row: KvRow): KvEntry => ({ key, value: row.value, expires_at: row.expires_at === null ? null : Number(row.expires_at) });

export class PostgresKv implements ProjectKv {
  constructor(
    private readonly tenancy: PostgresTenancy,
    private readonly now: () => number = Date.now,
  ) {}

  async get(projectId: string, key: string): Promise<KvEntry | undefined> {
    checkKey(key);
    const { rows } = await this.run(projectId, (client) =>
      client.query<KvRow>(extended('SELECT value, expires_at FROM kv WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)', [key, this.now()])),
    );
    return rows[0] ? entry(key, rows[0]) : undefined;
  }

  async set(projectId: string, key: string, value: unknown, ttlMs?: number): Promise<KvEntry> {
    checkKey(key);
    const text = encodeValue(value, this.tenancy.limits);
    const expires = expiryOf(ttlMs, this.now());
    const names = await this.tenancy.tenant(projectId);
    await this.tenancy.checkQuota(names);
    await this.run(projectId, (client) =>
      client.query(
        extended('INSERT INTO kv (key, value, expires_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at', [key, text, expires]),
      ),
    );
    return { key, value: JSON.parse(text) as unknown, expires_at: expires };
  }

  async incr(projectId: string, key: string, by = 1, ttlMs?: number): Promise<KvEntry> {
    checkKey(key);
    checkIncrement(by);
    const now = this.now();
    const expires = expiryOf(ttlMs, now);
    // An expired row counts as absent (starts again from 0 with the new TTL); a live one keeps its expiry.
    // A live value that is not an integer matches no row, so RETURNING is empty and incr is refused.
    const sql = `INSERT INTO kv AS k (key, value, expires_at) VALUES ($1, to_jsonb($2::bigint), $3)
      ON CONFLICT (key) DO UPDATE SET
        value = CASE WHEN k.expires_at IS NOT NULL AND k.expires_at <= $4 THEN to_jsonb($2::bigint) ELSE to_jsonb((k.value #>> '{}')::numeric + $2::bigint) END,
        expires_at = CASE WHEN k.expires_at IS NOT NULL AND k.expires_at <= $4 THEN $3 ELSE k.expires_at END
      WHERE (k.expires_at IS NOT NULL AND k.expires_at <= $4) OR (jsonb_typeof(k.value) = 'number' AND (k.value #>> '{}') ~ '^-?[0-9]+$'
        AND abs((k.value #>> '{}')::numeric + $2::bigint) <= 9007199254740991)
      RETURNING value, expires_at`;
    const { rows } = await this.run(projectId, (client) => client.query<KvRow>(extended(sql, [key, by, expires, now])));
    if (!rows[0]) throw notAnInteger(key);
    return entry(key, rows[0]);
  }

  async delete(projectId: string, key: string): Promise<boolean> {
    checkKey(key);
    const { rows } = await this.run(projectId, (client) =>
      client.query<{ live: boolean }>(extended('DELETE FROM kv WHERE key = $1 RETURNING (expires_at IS NULL OR expires_at > $2) AS live', [key, this.now()])),
    );
    return rows[0]?.live === true;
  }

  async close(): Promise<void> {
    await this.tenancy.close();
  }

  private async run<T>(projectId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const names = await this.tenancy.tenant(projectId);
    try {
      return await this.tenancy.transaction(names, names.schema, false, work);
    } catch (error) {
      const mapped = pgError(error);
      if (mapped instanceof IsolaError) throw mapped;
      throw error;
    }
  }
}
