/**
 * The project-data backend `isola serve` runs with, from the operator's setting (project-data-options.ts):
 * its databases and KV store, what /readyz reports of it, and one close for both.
 */
import { PostgresDatabases, PostgresTenancy } from './postgres/pg-databases.js';
import { PostgresKv } from './postgres/pg-kv.js';
import { describeServer, type ProjectDataHealth, type ProjectDataSetting } from './project-data-options.js';
import { SqliteDatabases } from './sqlite/sqlite-databases.js';
import { SqliteKv } from './sqlite/sqlite-kv.js';
import type { ProjectDatabases, ProjectKv } from './types.js';

export interface ProjectDataBackend {
  databases: ProjectDatabases;
  kv: ProjectKv;
  health(): Promise<ProjectDataHealth>;
  close(): Promise<void>;
}

export function openProjectData(setting: ProjectDataSetting, storeDir: string): ProjectDataBackend {
  if (setting.backend === 'sqlite') {
    const databases = new SqliteDatabases({ storeDir });
    const kv = new SqliteKv({ storeDir });
    return {
      databases,
      kv,
      health: async () => ({ backend: 'sqlite', ready: true }),
      close: async () => {
        await Promise.all([databases.close(), kv.close()]);
      },
    };
  }
  const tenancy = new PostgresTenancy({ adminUrl: setting.url, roleSecret: setting.roleSecret });
  const server = describeServer(setting.url);
  return {
    databases: new PostgresDatabases(tenancy),
    kv: new PostgresKv(tenancy),
    async health() {
      const { ready, reason } = await tenancy.ping();
      return { backend: 'postgres', server, ready, ...(reason === undefined ? {} : { reason }) };
    },
    close: () => tenancy.close(),
  };
}
