// The project-data SDK for guest JavaScript: `import { db, kv, library } from 'isola'` (Intellectible's
// names come from intellectible_sdk.js on top of this). Calls go to http://isola.internal/ through the
// guest's own fetch; the host bridge serves that host as the execution's project, so the guest holds no
// key. The native lane loads this same file into Node (runtimes/native/runner.mjs).
(function (internal) {
  'use strict';
  const BASE = 'http://isola.internal';
  const lib = internal.lib;

  class ProjectDataError extends Error {
    constructor(status, body) {
      const error = body && typeof body === 'object' && body.error ? body.error : {};
      super(typeof error.message === 'string' ? error.message : 'project data request failed with HTTP ' + status);
      this.name = 'ProjectDataError';
      this.status = status;
      this.code = typeof error.code === 'string' ? error.code : undefined;
      this.issues = Array.isArray(error.issues) ? error.issues : [];
    }
  }

  async function send(method, path, body, contentType) {
    const init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = contentType;
      init.body = body;
    }
    const res = await lib('fetch').fetch(BASE + path, init);
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (error) {
      if (res.ok) throw error;
    }
    if (!res.ok) throw new ProjectDataError(res.status, data);
    return data;
  }
  const call = (method, path, body) => send(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
  const seg = (value) => encodeURIComponent(String(value));
  const table = (database, name) => '/v1/databases/' + seg(database) + '/tables/' + seg(name);

  class DatabaseClient {
    async listDatabases() {
      return (await call('GET', '/v1/databases')).databases;
    }
    createDatabase(name) {
      return call('POST', '/v1/databases', { name: name });
    }
    async dropDatabase(name) {
      await call('DELETE', '/v1/databases/' + seg(name));
    }
    async listTables(database) {
      return (await call('GET', '/v1/databases/' + seg(database) + '/tables')).tables;
    }
    /** columns: [{ name, type: 'text'|'integer'|'real'|'boolean'|'timestamp'|'json', nullable?, primary_key?, unique? }] */
    createTable(database, name, columns) {
      return call('POST', '/v1/databases/' + seg(database) + '/tables', { name: name, columns: columns });
    }
    createColumn(database, tableName, column) {
      return call('POST', table(database, tableName) + '/columns', column);
    }
    insertRows(database, tableName, rows) {
      return call('POST', table(database, tableName) + '/rows', { rows: Array.isArray(rows) ? rows : [rows] });
    }
    updateRows(database, tableName, set, where) {
      return call('PATCH', table(database, tableName) + '/rows', { set: set, where: where });
    }
    deleteRows(database, tableName, where) {
      return call('DELETE', table(database, tableName) + '/rows', { where: where });
    }
    /** One read-only statement; returns { rows, row_count }. */
    query(database, sql, params) {
      return call('POST', '/v1/databases/' + seg(database) + '/query', params === undefined ? { sql: sql } : { sql: sql, params: params });
    }
  }

  class KvClient {
    /** The value, or undefined when the key is absent or expired. */
    async get(key) {
      try {
        return (await call('GET', '/v1/kv/' + seg(key))).value;
      } catch (error) {
        if (error instanceof ProjectDataError && error.status === 404) return undefined;
        throw error;
      }
    }
    set(key, value, options) {
      const ttl = options && options.ttlMs !== undefined ? { ttl_ms: options.ttlMs } : {};
      return call('PUT', '/v1/kv/' + seg(key), Object.assign({ value: value }, ttl));
    }
    async incr(key, by, options) {
      const body = { by: by === undefined ? 1 : by };
      if (options && options.ttlMs !== undefined) body.ttl_ms = options.ttlMs;
      return (await call('POST', '/v1/kv/' + seg(key) + '/incr', body)).value;
    }
    /** True when a live key was removed. */
    async delete(key) {
      try {
        await call('DELETE', '/v1/kv/' + seg(key));
        return true;
      } catch (error) {
        if (error instanceof ProjectDataError && error.status === 404) return false;
        throw error;
      }
    }
  }

  // The files library. It is flat: a file's name may hold '/', read as its directory (`reports/q1.csv` is
  // `q1.csv` in `reports`), which is what path arguments and listDirs work on. The root is `root`.
  const ROOT = 'root';
  const dirOf = (path) => {
    const clean = path === undefined || path === null ? '' : String(path).trim().replace(/^\/+|\/+$/g, '');
    return clean === ROOT ? '' : clean;
  };
  const split = (full) => {
    const cut = full.lastIndexOf('/');
    return cut < 0 ? { dir: '', name: full } : { dir: full.slice(0, cut), name: full.slice(cut + 1) };
  };
  const metadata = (file) => {
    const parts = split(file.name);
    return { id: file.id, name: parts.name, path: file.name, dir: parts.dir === '' ? ROOT : parts.dir, mimeType: file.content_type, size: file.size, createdDate: file.created_at, sha256: file.sha256 };
  };
  const MIME = { txt: 'text/plain', csv: 'text/csv', json: 'application/json', md: 'text/markdown', html: 'text/html', xml: 'application/xml', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', zip: 'application/zip', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  /** A MIME type as given, or one for a short extension ('csv', '.png'); anything else is octet-stream. */
  const mimeOf = (fileType) => {
    const value = fileType === undefined || fileType === null ? '' : String(fileType).trim();
    if (value.includes('/')) return value;
    return MIME[value.replace(/^\./, '').toLowerCase()] || 'application/octet-stream';
  };
  const bytesOf = (content) => {
    if (typeof content === 'string') return content;
    if (content instanceof ArrayBuffer || ArrayBuffer.isView(content)) return content;
    return JSON.stringify(content);
  };

  class LibraryClient {
    /** FileMetadata[] ({ id, name, path, dir, mimeType, size, createdDate, sha256 }) in one directory (default: root). */
    async listFiles(path) {
      const dir = dirOf(path);
      const { files } = await call('GET', '/v1/library/files');
      return files.filter((file) => split(file.name).dir === dir).map(metadata);
    }
    /** DirMetadata[] ({ name, path }): the directories directly under `path` (default: root). */
    async listDirs(path) {
      const dir = dirOf(path);
      const prefix = dir === '' ? '' : dir + '/';
      const names = new Set();
      for (const file of (await call('GET', '/v1/library/files')).files) {
        if (!file.name.startsWith(prefix)) continue;
        const rest = file.name.slice(prefix.length);
        const cut = rest.indexOf('/');
        if (cut > 0) names.add(rest.slice(0, cut));
      }
      return [...names].sort().map((name) => ({ name: name, path: prefix + name }));
    }
    /** One file's FileMetadata; ProjectDataError (status 404) when the project has no such file. */
    async getFile(fileId) {
      return metadata(await call('GET', '/v1/library/files/' + seg(fileId)));
    }
    /** A signed URL on the Isola service that reads the file with no key until it expires (default 1 h). */
    async createDownloadUrl(fileId, options) {
      const ttl = options && options.expiresIn !== undefined ? '?expires_in=' + seg(options.expiresIn) : '';
      return (await call('POST', '/v1/library/files/' + seg(fileId) + '/download-url' + ttl)).url;
    }
    /** Stores `content` (string, bytes, or JSON) as `path/name`, replacing a file of that name; returns its id. */
    async uploadFile(name, fileType, content, path) {
      const dir = dirOf(path);
      const full = dir === '' ? String(name) : dir + '/' + String(name);
      return (await send('POST', '/v1/library/files?name=' + seg(full), bytesOf(content), mimeOf(fileType))).id;
    }
    async deleteFile(fileId) {
      await call('DELETE', '/v1/library/files/' + seg(fileId));
    }
  }

  return {
    DatabaseClient: DatabaseClient,
    KvClient: KvClient,
    LibraryClient: LibraryClient,
    ProjectDataError: ProjectDataError,
    db: new DatabaseClient(),
    kv: new KvClient(),
    library: new LibraryClient(),
  };
});
