// `require('@intellectible/execution-sdk')`: Intellectible's documented client signatures, as a thin layer
// over the `isola` clients (project_data.js), so code written for Intellectible's code nodes runs as is.
// Where Intellectible's shape differs from ours (listTables gives names, createTable takes no columns,
// createColumn takes positional arguments), this layer converts; everything else is the same client.
(function (internal) {
  'use strict';
  const base = internal.lib('project_data');

  // Intellectible's column types, and ours, onto the backend's six.
  const TYPES = { text: 'text', string: 'text', varchar: 'text', number: 'real', float: 'real', real: 'real', double: 'real', decimal: 'real', integer: 'integer', int: 'integer', bigint: 'integer', boolean: 'boolean', bool: 'boolean', date: 'timestamp', datetime: 'timestamp', timestamp: 'timestamp', json: 'json', object: 'json', jsonb: 'json' };
  const typeOf = (colType) => {
    const key = String(colType === undefined ? 'text' : colType).toLowerCase();
    return Object.hasOwn(TYPES, key) ? TYPES[key] : key; // an unknown type is refused by the backend, naming it
  };
  const unsupported = (what) => new base.ProjectDataError(422, { error: { code: 'unsupported', message: what + ' is not offered by this Isola backend' } });

  class DatabaseClient extends base.DatabaseClient {
    /** [{ id, name, createdDate, bytes }]: a database's id is its name. */
    async listDatabases() {
      return (await super.listDatabases()).map((d) => ({ id: d.name, name: d.name, createdDate: d.created_at === undefined ? null : d.created_at, bytes: d.bytes }));
    }
    /** The table names. */
    async listTables(databaseId) {
      return (await super.listTables(databaseId)).map((t) => t.name);
    }
    /**
     * Creates the table and returns its id. A SQL table needs a column, so a table made without any
     * starts with one nullable text column `id`; add the others with createColumn.
     */
    async createTable(databaseId, tableId, columns) {
      await super.createTable(databaseId, tableId, Array.isArray(columns) && columns.length > 0 ? columns : [{ name: 'id', type: 'text' }]);
      return tableId;
    }
    /** createColumn(databaseId, tableId, columnId, columnType, { nullable? }); returns the column id. */
    async createColumn(databaseId, tableId, colId, colType, opts) {
      if (colId !== null && typeof colId === 'object') return super.createColumn(databaseId, tableId, colId);
      const column = { name: String(colId), type: typeOf(colType) };
      if (opts && typeof opts.nullable === 'boolean') column.nullable = opts.nullable;
      await super.createColumn(databaseId, tableId, column);
      return column.name;
    }
    async deleteTable() {
      throw unsupported('deleteTable');
    }
    async deleteColumn() {
      throw unsupported('deleteColumn');
    }
  }

  return { DatabaseClient: DatabaseClient, LibraryClient: base.LibraryClient, KvClient: base.KvClient, ProjectDataError: base.ProjectDataError };
});
