/** Operator options of the Pyodide lane (EngineOptions → DriverConfig.options), with their defaults. */
const MIB = 1024 * 1024;

export interface PyodideOptions {
  /** Extra modules imported before the snapshot, on top of the lane's own list (lane.py PRELOAD). */
  preload: readonly string[];
  /**
   * A realm whose heap grew past this is replaced (off the request path) rather than reset: Wasm memory
   * never shrinks, and a later job with a smaller memory cap must not inherit a grown heap.
   */
  maxHeapBytes: number;
  /** Budget of function-mode images kept per worker (each holds the pages where it differs from the base). */
  imageCacheBytes: number;
  maxImages: number;
  /** Environments (unpacked wheels) one realm holds before it is replaced by a clean one. */
  maxEnvironments: number;
}

export function pyodideOptions(raw: Record<string, unknown>): PyodideOptions {
  const preload = raw['preload'];
  return {
    preload: Array.isArray(preload) ? preload.filter((name): name is string => typeof name === 'string' && /^[A-Za-z_][\w.]*$/.test(name)) : [],
    maxHeapBytes: positive(raw['maxHeapBytes'], 128 * MIB),
    imageCacheBytes: positive(raw['imageCacheBytes'], 64 * MIB),
    maxImages: positive(raw['maxImages'], 64),
    maxEnvironments: positive(raw['maxEnvironments'], 8),
  };
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
