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
   * The IANA time-zone database as a `tzdata` package in a zip (what zoneinfo falls back to). The npm
   * package ships no tzdata wheel, so the platform builds one from the system's TZif files; undefined
   * when the system has none.
   */
  readTzdata(): TzdataZip | undefined;
}

export interface TzdataZip {
  zip: Uint8Array;
  /** Changes when the zones change: part of the snapshot key (zipimport caches offsets into the zip). */
  digest: string;
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
