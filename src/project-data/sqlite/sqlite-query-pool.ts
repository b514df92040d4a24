/**
 * A few long-lived reader processes (sqlite-query-child) that run `query` statements one at a time
 * each. A statement past its deadline gets its process SIGKILLed (the only way to stop sqlite3_step
 * from outside); the slot starts a fresh process on its next use.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IsolaError } from '../../contract/errors.js';
import type { Row } from '../types.js';

export interface PoolQuery {
  file: string;
  sql: string;
  params: (string | number | null)[];
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
}

export type PoolOutcome =
  | { ok: true; rows: Row[] }
  | { ok: false; kind: 'sqlite' | 'too_large'; errcode: number; message: string };

type ChildReply = PoolOutcome & { id: number };

interface Pending {
  query: PoolQuery;
  resolve(outcome: PoolOutcome): void;
  reject(error: unknown): void;
}

/** dist/ has the compiled .js; from src/ (tests, tsx) Node runs the .ts itself. */
function childPath(): string {
  const js = fileURLToPath(new URL('./sqlite-query-child.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('./sqlite-query-child.ts', import.meta.url));
}

/** What SQLite itself may allocate in one reader (sorts, CTE queues), beyond the row caps. */
const HEAP_LIMIT_BYTES = 256 * 1024 * 1024;

/** Ref or unref a reader and its IPC channel: only a reader with work in flight keeps the event loop up. */
function hold(child: ChildProcess, busy: boolean): void {
  const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
  if (busy) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

class Slot {
  private child: { process: ChildProcess; ready: Promise<void> } | undefined;
  private nextId = 1;
  busy = false;

  constructor(private readonly path: string) {}

  private spawn(): { process: ChildProcess; ready: Promise<void> } {
    const child = fork(this.path, [], {
      // No inherited flags (a test runner's --inspect, loaders); a heap cap for the JS side of the reader.
      execArgv: ['--max-old-space-size=128', '--disable-warning=ExperimentalWarning'],
      serialization: 'advanced',
      // A reader that hits its heap cap prints V8's report; the parent answers for it instead.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: {},
    });
    // An idle reader must not keep the process alive; a busy one does (see hold()).
    hold(child, false);
    const ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: { ready?: boolean }) => {
        if (message?.ready !== true) return;
        child.off('message', onReady);
        resolve();
      };
      child.on('message', onReady);
      child.once('exit', (code, signal) => reject(new IsolaError('internal', `SQLite reader exited at start (code ${code}, signal ${signal})`)));
    });
    ready.catch(() => {});
    const entry = { process: child, ready };
    child.once('exit', () => {
      if (this.child === entry) this.child = undefined;
    });
    return entry;
  }

  async run(query: PoolQuery): Promise<PoolOutcome> {
    this.child ??= this.spawn();
    const entry = this.child;
    hold(entry.process, true);
    try {
      await entry.ready;
      return await this.send(entry, query);
    } finally {
      hold(entry.process, false);
    }
  }

  private send(entry: { process: ChildProcess }, query: PoolQuery): Promise<PoolOutcome> {
    const child = entry.process;
    const id = this.nextId++;
    return new Promise<PoolOutcome>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (reply: ChildReply) => {
        if (reply.id !== id) return;
        done();
        const { id: _id, ...outcome } = reply;
        resolve(outcome as PoolOutcome);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        // The reader's only way to die mid-statement is its memory caps (a V8 heap limit abort): the
        // statement asked for more than a query may hold. The next query gets a fresh reader.
        reject(new IsolaError('result_too_large', `The statement exhausted the SQLite reader's memory and was stopped (code ${code}, signal ${signal})`, {
          issues: [{ field: 'sql', message: 'needs more memory than a query may use' }],
        }));
      };
      const timer = setTimeout(() => {
        done();
        child.kill('SIGKILL');
        if (this.child === entry) this.child = undefined;
        reject(new IsolaError('statement_timeout', `The statement ran past ${query.timeoutMs} ms and was stopped`, {
          issues: [{ field: 'sql', message: `exceeded the statement timeout of ${query.timeoutMs} ms` }],
        }));
      }, query.timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      const { timeoutMs: _t, ...message } = query;
      child.send({ id, ...message, heapLimitBytes: HEAP_LIMIT_BYTES });
    });
  }

  close(): void {
    this.child?.process.kill('SIGKILL');
    this.child = undefined;
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }
}

export class SqliteQueryPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(size: number) {
    const path = childPath();
    this.slots = Array.from({ length: Math.max(1, size) }, () => new Slot(path));
  }

  run(query: PoolQuery): Promise<PoolOutcome> {
    if (this.closed) return Promise.reject(new IsolaError('engine_closed', 'The project data store was closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ query, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = true;
      slot
        .run(next.query)
        .then(next.resolve, next.reject)
        .finally(() => {
          slot.busy = false;
          this.pump();
        });
    }
  }

  /** Process ids of the live readers (tests check none outlive close()). */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.pid === undefined ? [] : [slot.pid]));
  }

  close(): void {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new IsolaError('engine_closed', 'The project data store was closed'));
    for (const slot of this.slots) slot.close();
  }
}
