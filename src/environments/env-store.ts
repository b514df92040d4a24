/**
 * The on-disk store of environments: <storeDir>/envs/<hash>/ with a manifest.json, built in a temp dir
 * on the same filesystem and published with one rename, so a reader never sees a half-built one.
 * Removal renames into a trash dir first for the same reason. The manifest's mtime records last use
 * (touching a file is cheaper and safer than rewriting JSON on every hit).
 */
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import type { EnvInfo, EnvManifest, PruneResult } from './types.js';

const HASH = /^[0-9a-f]{64}$/;
const MANIFEST = 'manifest.json';
/** Keys of a spec that hold paths relative to the environment directory (absolute in what lanes see). */
const PATH_KEYS = new Set(['bundlePath', 'wheels', 'dynlibs', 'venv', 'nodeModules']);

export function isEnvHash(value: string): boolean {
  return HASH.test(value);
}

export class EnvStore {
  readonly root: string;
  readonly envsDir: string;
  readonly requestsDir: string;
  readonly locksDir: string;
  private readonly tmpDir: string;
  private readonly trashDir: string;

  constructor(storeDir: string) {
    this.root = resolve(storeDir);
    this.envsDir = join(this.root, 'envs');
    this.tmpDir = join(this.envsDir, '.tmp');
    this.trashDir = join(this.envsDir, '.trash');
    this.requestsDir = join(this.root, 'env-requests');
    this.locksDir = join(this.root, 'env-locks');
  }

  async init(): Promise<void> {
    await Promise.all([this.tmpDir, this.trashDir, this.requestsDir, this.locksDir].map((d) => mkdir(d, { recursive: true })));
  }

  envPath(hash: string): string {
    if (!isEnvHash(hash)) throw new Error(`not an environment hash: ${hash}`);
    return join(this.envsDir, hash);
  }

  manifestPath(hash: string): string {
    return join(this.envPath(hash), MANIFEST);
  }

  /** A fresh build directory on the store's filesystem; the caller publishes or removes it. */
  newBuildDir(): Promise<string> {
    return mkdtemp(join(this.tmpDir, 'build-'));
  }

  async discard(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  /**
   * Write the manifest into `buildDir` and rename it to envs/<hash>. Returns false when another build
   * published the same hash first (the content is equal by construction); `buildDir` is removed then.
   */
  async publish(buildDir: string, manifest: EnvManifest): Promise<boolean> {
    await writeFile(join(buildDir, MANIFEST), JSON.stringify(manifest, null, 2));
    // mkdtemp made it 0700; lanes that run as another uid (the native sandbox) must be able to read it.
    await chmod(buildDir, 0o755);
    try {
      await rename(buildDir, this.envPath(manifest.hash));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        await this.discard(buildDir);
        return false;
      }
      throw error;
    }
  }

  async readManifest(hash: string): Promise<EnvManifest | undefined> {
    try {
      return JSON.parse(await readFile(this.manifestPath(hash), 'utf8')) as EnvManifest;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing or unreadable manifest means no usable environment; it will be rebuilt.
      if (code === 'ENOENT' || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** The spec with its paths made absolute against the environment directory. */
  absoluteSpec(hash: string, spec: Record<string, unknown>): Record<string, unknown> {
    const dir = this.envPath(hash);
    const out: Record<string, unknown> = {};
    const abs = (p: unknown): unknown => (typeof p === 'string' && !isAbsolute(p) ? join(dir, p) : p);
    for (const [key, value] of Object.entries(spec)) {
      out[key] = PATH_KEYS.has(key) ? (Array.isArray(value) ? value.map(abs) : abs(value)) : value;
    }
    return out;
  }

  /**
   * A published environment whose manifest is present but whose files are not (a partial manual
   * deletion, a disk problem) must not be handed to a lane: callers remove and rebuild it.
   */
  isComplete(hash: string, spec: Record<string, unknown>): boolean {
    const absolute = this.absoluteSpec(hash, spec);
    for (const key of PATH_KEYS) {
      const value = absolute[key];
      const paths = Array.isArray(value) ? value : value === undefined ? [] : [value];
      if (!paths.every((p) => typeof p === 'string' && existsSync(p))) return false;
    }
    return true;
  }

  async touch(hash: string): Promise<void> {
    const now = new Date();
    try {
      await utimes(this.manifestPath(hash), now, now);
    } catch {
      // Evicted meanwhile: nothing to record.
    }
  }

  async list(): Promise<EnvInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.envsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const infos: EnvInfo[] = [];
    for (const name of names) {
      if (!isEnvHash(name)) continue;
      const manifest = await this.readManifest(name);
      if (!manifest) continue;
      let lastUsed = Date.parse(manifest.lastUsedAt);
      try {
        lastUsed = Math.max(lastUsed, (await stat(this.manifestPath(name))).mtimeMs);
      } catch {
        continue;
      }
      infos.push({
        hash: name,
        lane: manifest.lane,
        language: manifest.language,
        packages: manifest.packages.map((p) => ({ name: p.name, version: p.version })),
        sizeBytes: manifest.sizeBytes,
        createdAt: manifest.createdAt,
        lastUsedAt: new Date(lastUsed).toISOString(),
        path: this.envPath(name),
      });
    }
    return infos.sort((a, b) => Date.parse(b.lastUsedAt) - Date.parse(a.lastUsedAt));
  }

  async remove(hash: string): Promise<boolean> {
    if (!isEnvHash(hash)) return false;
    const target = join(this.trashDir, `${hash}-${process.pid}-${Date.now()}`);
    try {
      await rename(this.envPath(hash), target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await rm(target, { recursive: true, force: true });
    return true;
  }

  /**
   * Evict least recently used environments until the store fits `maxBytes`, and any unused for longer
   * than `olderThanMs`. `keep` names hashes never evicted (just built, or in use).
   */
  async prune(options: { maxBytes?: number; olderThanMs?: number; keep?: ReadonlySet<string> }): Promise<PruneResult> {
    const infos = await this.list(); // newest first
    let total = infos.reduce((sum, info) => sum + info.sizeBytes, 0);
    const removed: string[] = [];
    let freedBytes = 0;
    const now = Date.now();
    for (const info of [...infos].reverse()) {
      if (options.keep?.has(info.hash)) continue;
      const tooOld = options.olderThanMs !== undefined && now - Date.parse(info.lastUsedAt) > options.olderThanMs;
      const overCap = options.maxBytes !== undefined && total > options.maxBytes;
      if (!tooOld && !overCap) continue;
      if (await this.remove(info.hash)) {
        removed.push(info.hash);
        freedBytes += info.sizeBytes;
        total -= info.sizeBytes;
      }
    }
    // Leftovers of builds killed mid-way (a crashed process cannot clean up after itself).
    await this.sweepTemp(now - 24 * 3600 * 1000);
    return { removed, freedBytes, remainingBytes: total };
  }

  private async sweepTemp(before: number): Promise<void> {
    for (const dir of [this.tmpDir, this.trashDir]) {
      let names: string[] = [];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(dir, name);
        try {
          if (dir === this.trashDir || (await stat(path)).mtimeMs < before) await rm(path, { recursive: true, force: true });
        } catch {
          // Raced with its owner; it will be swept next time.
        }
      }
    }
  }
}

/** Bytes used by a directory tree (symlinks counted as links, never followed). */
export async function treeSize(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = info.size;
  for (const entry of await readdir(path)) total += await treeSize(join(path, entry));
  return total;
}
