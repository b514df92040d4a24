/**
 * Where a worker's first Pyodide instance comes from: the disk snapshot if one checks out, else a cold
 * boot that builds the snapshot and stores it for every later worker and process.
 *
 * The key is content-addressed: Pyodide's version and BUILD_ID, Isola's guest files (realm.js, lane.py,
 * the shared runner) and the preload list. A file under the key is still validated in full
 * (snapshot-file.ts); one that does not check out is logged, ignored and overwritten by the rebuild.
 */
import type { DriverHost, EgressRequest, EgressResponse } from '../lane.js';
import type { PyodideOptions } from './options.js';
import type { PyodidePlatform } from './platform.js';
import { PyodideRealm, type RealmFiles } from './realm.js';
import { decodeSnapshotFile, encodeSnapshotFile, sha256Hex, SNAPSHOT_FORMAT_VERSION } from './snapshot-file.js';

export type SnapshotOrigin = 'disk' | 'built' | 'memory';

export interface LoadedRealm {
  realm: PyodideRealm;
  origin: SnapshotOrigin;
  key: string;
  /** Milliseconds spent building the snapshot (cold boot), when it was built. */
  buildMs?: number;
}

/** Snapshots built without a store, kept for this process's later realms (rebuilds, other drivers). */
const builtInMemory = new Map<string, Uint8Array>();

export async function snapshotIdentity(platform: PyodidePlatform, files: RealmFiles, options: PyodideOptions): Promise<{ key: string; laneBuild: string }> {
  const tzdata = platform.assets.readTzdata()?.digest ?? 'none';
  const laneBuild = await sha256Hex(JSON.stringify({ format: SNAPSHOT_FORMAT_VERSION, files, preload: options.preload, tzdata }));
  const digest = await sha256Hex(`${platform.assets.buildId}\u0000${laneBuild}`);
  return { key: `pyodide-${platform.assets.version}-${digest.slice(0, 32)}`, laneBuild };
}

export async function loadSnapshot(
  host: DriverHost,
  platform: PyodidePlatform,
  files: RealmFiles,
  options: PyodideOptions,
  fetchSync: (request: EgressRequest) => EgressResponse,
): Promise<LoadedRealm> {
  const { key, laneBuild } = await snapshotIdentity(platform, files, options);
  const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => host.log(level, message);
  const bootOptions = { preload: options.preload, log, fetchSync, ...(host.interrupt ? { interrupt: host.interrupt } : {}) };
  const expected = { key, pyodideBuildId: platform.assets.buildId, laneBuild };

  const fromMemory = builtInMemory.get(key);
  if (fromMemory) return { realm: await PyodideRealm.boot(platform, files, { ...bootOptions, snapshot: fromMemory }), origin: 'memory', key };

  if (host.snapshots) {
    // Read the file while the realm gets ready: the two do not depend on each other.
    const reading = host.snapshots.get(key).catch((error: unknown) => {
      host.log('warn', 'pyodide: cannot read the snapshot store', { key, error: String(error) });
      return undefined;
    });
    const shell = PyodideRealm.prepare(platform, files, bootOptions);
    const file = await reading;
    if (file) {
      const decoded = await decodeSnapshotFile(file, expected);
      if (decoded.ok) {
        try {
          return { realm: await shell.start(decoded.payload, false), origin: 'disk', key };
        } catch (error) {
          host.log('warn', 'pyodide: the disk snapshot does not start; rebuilding it', { key, error: String(error) });
        }
      } else {
        shell.dispose();
        host.log('warn', 'pyodide: discarding the disk snapshot', { key, reason: decoded.reason });
      }
    } else {
      shell.dispose();
    }
  }

  const started = performance.now();
  const realm = await PyodideRealm.boot(platform, files, { ...bootOptions, makeSnapshot: true });
  const payload = realm.makeSnapshot();
  if (host.snapshots) {
    const file = await encodeSnapshotFile({ ...expected, pyodideVersion: platform.assets.version, createdAt: new Date().toISOString() }, payload);
    try {
      await host.snapshots.put(key, file);
    } catch (error) {
      host.log('warn', 'pyodide: cannot store the snapshot', { key, error: String(error) });
    }
  } else {
    builtInMemory.set(key, payload);
  }
  return { realm, origin: 'built', key, buildMs: performance.now() - started };
}
