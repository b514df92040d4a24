/**
 * A lock file shared by processes that use the same store: created with O_EXCL, holding the owner's
 * pid, host and start time. A lock whose owner process is gone (same host) or that is older than the
 * stale age is broken. Within one process, the manager's promise map already deduplicates builds; this
 * covers several Isola processes (or CLI invocations) sharing one store directory.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOptions {
  /** A lock older than this is considered abandoned whatever its owner (ms). */
  staleMs: number;
  /** Poll interval while another process holds the lock (ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface HeldLock {
  release(): Promise<void>;
}

interface LockBody {
  pid: number;
  host: string;
  at: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's text when it is stale (so the breaker can check it is still the same lock), else null. */
async function staleText(path: string, staleMs: number): Promise<string | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return text;
    let body: LockBody;
    try {
      body = JSON.parse(text) as LockBody;
    } catch {
      // Half-written by a process that died between open and write: stale once it is a few seconds old.
      return Date.now() - info.mtimeMs > 5000 ? text : null;
    }
    return body.host === hostname() && !processAlive(body.pid) ? text : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      const body: LockBody = { pid: process.pid, host: hostname(), at: Date.now() };
      await handle.writeFile(JSON.stringify(body));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Take the lock at `path`, waiting while another live owner holds it. `onWait` is called once when we
 * start waiting (the caller may log it); the returned lock must be released on every path.
 */
export async function acquireLock(path: string, options: LockOptions, onWait?: () => void): Promise<HeldLock> {
  let waited = false;
  for (;;) {
    if (await tryCreate(path)) {
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    }
    const stale = await staleText(path, options.staleMs);
    if (stale !== null) {
      // Another waiter may have broken it and taken a fresh lock meanwhile: only remove the one judged.
      if ((await readOrNull(path)) === stale) await rm(path, { force: true });
      continue;
    }
    if (!waited) {
      waited = true;
      onWait?.();
    }
    await sleep(options.pollMs ?? 100, options.signal);
  }
}
