/**
 * The process that runs `query` statements for the SQLite backend. SQLite has no CPU timeout and
 * node:sqlite no progress handler, and a worker thread cannot be terminated while it sits in
 * sqlite3_step, so statements run here, in a child the parent can SIGKILL at the deadline.
 *
 * Each statement opens its database read-only with extension loading off and an authorizer that admits
 * only reads, so even a statement the parent's checks let through cannot write, ATTACH, PRAGMA or load.
 * This file imports nothing but node: builtins and uses only erasable TypeScript, so Node can run it from
 * src/ (type stripping) as well as from dist/.
 */
import { constants, DatabaseSync } from 'node:sqlite';

interface QueryMessage {
  id: number;
  file: string;
  sql: string;
  params: (string | number | null)[];
  maxRows: number;
  maxBytes: number;
  heapLimitBytes: number;
}

type Reply =
  | { id: number; ok: true; rows: Record<string, unknown>[] }
  | { id: number; ok: false; kind: 'sqlite' | 'too_large'; errcode: number; message: string };

/** Functions a read has no business calling (load_extension is also off at the connection). */
const DENIED_FUNCTIONS = new Set(['load_extension', 'readfile', 'writefile', 'edit', 'fts3_tokenizer']);

function authorize(action: number, arg1: string | null, arg2: string | null, dbName: string | null): number {
  switch (action) {
    case constants.SQLITE_SELECT:
    case constants.SQLITE_RECURSIVE:
      return constants.SQLITE_OK;
    case constants.SQLITE_READ:
      // The database this connection opened, or a CTE/subquery (no database); ATTACH is refused below.
      return dbName === 'main' || dbName === null ? constants.SQLITE_OK : constants.SQLITE_DENY;
    case constants.SQLITE_FUNCTION:
      return arg2 !== null && DENIED_FUNCTIONS.has(arg2.toLowerCase()) ? constants.SQLITE_DENY : constants.SQLITE_OK;
    default:
      // ATTACH, DETACH, PRAGMA, every write and every DDL.
      void arg1;
      return constants.SQLITE_DENY;
  }
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

function run(message: QueryMessage): Reply {
  // SQLite's own limits: no string or blob past the byte cap is ever built (so none reaches this heap),
  // and no database can be attached at all, whatever the authorizer says.
  const db = new DatabaseSync(message.file, {
    readOnly: true,
    allowExtension: false,
    timeout: 1_000,
    limits: { length: Math.max(1, Math.min(message.maxBytes, 1_000_000_000)), attach: 0 },
  });
  try {
    // Bounds what one statement can make SQLite allocate (sorts, recursive CTE queues); set before the
    // authorizer, which refuses every PRAGMA from here on.
    db.exec(`PRAGMA hard_heap_limit = ${Math.floor(message.heapLimitBytes)}`);
    db.setAuthorizer(authorize);
    const statement = db.prepare(message.sql);
    const rows: Record<string, unknown>[] = [];
    let bytes = 2;
    for (const raw of statement.iterate(...message.params)) {
      const row: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) row[key] = toJson(value);
      bytes += Buffer.byteLength(JSON.stringify(row)) + 1;
      rows.push(row);
      if (rows.length > message.maxRows) {
        return { id: message.id, ok: false, kind: 'too_large', errcode: 0, message: `more than ${message.maxRows} rows` };
      }
      if (bytes > message.maxBytes) {
        return { id: message.id, ok: false, kind: 'too_large', errcode: 0, message: `more than ${message.maxBytes} bytes of JSON` };
      }
    }
    return { id: message.id, ok: true, rows };
  } catch (error) {
    const e = error as { errcode?: unknown; message?: unknown };
    return {
      id: message.id,
      ok: false,
      kind: 'sqlite',
      errcode: typeof e.errcode === 'number' ? e.errcode : 1,
      message: typeof e.message === 'string' ? e.message : String(error),
    };
  } finally {
    db.close();
  }
}

process.on('message', (message: QueryMessage) => {
  process.send?.(run(message));
});
// The parent starts the statement's clock only once this process is up (a cold start is not the query's).
process.send?.({ ready: true });
// The parent going away (or closing the channel) ends this process too.
process.on('disconnect', () => process.exit(0));
