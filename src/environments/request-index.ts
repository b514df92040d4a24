/**
 * Maps a request hash (unresolved specs + runtime + prebuild + sources) to the environment it resolved
 * to, in memory for the sub-millisecond hit path and on disk (<storeDir>/env-requests/<hash>.json) so
 * other processes and restarts skip resolution too. Entries of requests with version ranges go stale
 * after the TTL: the manager still serves them and re-resolves in the background (usually to the same
 * environment, which is then not rebuilt); fully pinned requests never go stale.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { EnvLane } from './types.js';

export interface IndexEntry {
  envHash: string;
  lane: EnvLane;
  reason?: string;
  /** Absolute spec, as lanes receive it. */
  spec: Record<string, unknown>;
  resolvedAt: number;
  pinned: boolean;
}

/** Entries kept in memory; the oldest inserted are dropped first (they stay on disk). */
const MEMORY_ENTRIES = 10_000;

export class RequestIndex {
  private readonly memory = new Map<string, IndexEntry>();

  constructor(
    private readonly dir: string,
    private readonly ttlMs: number,
  ) {}

  private fresh(entry: IndexEntry, now: number): boolean {
    return entry.pinned || now - entry.resolvedAt < this.ttlMs;
  }

  /** The in-memory entry and whether it is still fresh. Synchronous: this is the hot path. */
  getMemory(key: string, now: number): { entry: IndexEntry; fresh: boolean } | undefined {
    const entry = this.memory.get(key);
    return entry && { entry, fresh: this.fresh(entry, now) };
  }

  async getDisk(key: string, now: number): Promise<{ entry: IndexEntry; fresh: boolean } | undefined> {
    try {
      const entry = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as IndexEntry;
      return { entry, fresh: this.fresh(entry, now) };
    } catch {
      // Missing or torn: resolve again.
      return undefined;
    }
  }

  /** After a failed background re-resolution: keep serving `key`, try again in `retryMs`. */
  postpone(key: string, retryMs: number, now: number): void {
    const entry = this.memory.get(key);
    if (entry) this.memory.set(key, { ...entry, resolvedAt: now - this.ttlMs + retryMs });
  }

  remember(key: string, entry: IndexEntry): void {
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
  }

  async put(key: string, entry: IndexEntry): Promise<void> {
    this.remember(key, entry);
    const path = join(this.dir, `${key}.json`);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, path);
  }

  /** Forget every request that resolved to `envHash` (it was removed from the store). */
  async forgetEnv(envHash: string): Promise<void> {
    const keys = [...this.memory].filter(([, entry]) => entry.envHash === envHash).map(([key]) => key);
    for (const key of keys) {
      this.memory.delete(key);
      await rm(join(this.dir, `${key}.json`), { force: true });
    }
  }
}
