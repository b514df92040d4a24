// The project-data SDK for guest JavaScript: `import { db, kv } from 'isola'` or
// `require('@intellectible/execution-sdk')`. Calls go to http://isola.internal/ through the guest's own
// fetch; the host bridge serves that host as the execution's project, so the guest holds no key.
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

  async function call(method, path, body) {
    const init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await lib('fetch').fetch(BASE + path, init);
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ProjectDataError(res.status, data);
    return data;
  }
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

  return { DatabaseClient: DatabaseClient, KvClient: KvClient, ProjectDataError: ProjectDataError, db: new DatabaseClient(), kv: new KvClient() };
});
