/**
 * What the portable Pyodide lane needs from the platform it runs on. worker-entry.ts implements it for
 * Node (node:vm contexts, files from node_modules/pyodide); nothing else in this folder imports `node:`.
 */

/** Pyodide's own files, read once per worker. */
export interface PyodideAssets {
  /** The npm package version, e.g. "314.0.7". */
  version: string;
  /** Pyodide's BUILD_ID (hash of pyodide.asm.mjs and pyodide.asm.wasm); snapshots are only valid for it. */
  buildId: string;
  /**
   * Big files are read when a realm boots, not kept: a worker boots rarely and holding them would cost
   * ~16 MB per worker for nothing.
   */
  readWasm(): Uint8Array;
  readStdlib(): Uint8Array;
  lockFile: string;
  /**
   * pyodide.asm.mjs rewritten as a classic script whose completion value is createPyodideModule, with
   * every dynamic `import()` replaced by a function that refuses (see worker-entry.ts).
   */
  moduleScript: string;
  /**
   * The IANA time-zone database as TZif files, packed into one buffer with an index of relative paths
   * (zoneinfo reads them from /usr/share/zoneinfo in the realm). The npm package ships no tzdata wheel;
   * empty when the system has none.
   */
  readZoneinfo(): PackedFiles;
}

export interface PackedFiles {
  bytes: Uint8Array;
  /** [relative path, offset, length] per file. */
  index: [string, number, number][];
}

/**
 * A JavaScript realm holding none of the host's capabilities: no process, no require, no host objects,
 * and code generation from strings disabled (no eval, no new Function).
 */
export interface SealedContext {
  /** Runs a classic script in the realm; returns its completion value (a value of the realm). */
  evaluate(source: string, filename: string): unknown;
}

export interface PyodidePlatform {
  assets: PyodideAssets;
  newContext(): SealedContext;
}
