/**
 * The JavaScript half of a QuickJS heap image: the state quickjs-emscripten keeps outside linear memory
 * for a runtime and its context (host-function table, context map, lazily cached handles such as
 * `ctx.global` or `_BigInt`, the scopes that own handles, the module's callback maps). Those objects
 * point into the heap; after the heap is put back they must say what they said when the image was
 * taken, or a handle cached by one job would dangle into the next job's heap.
 *
 * Capture walks every object reachable from the roots through own properties, Map and Set entries and
 * array elements (functions, typed arrays and the `opaque` objects are values, never walked into) and
 * records each one's contents; restore writes those contents back, deleting what was added. Objects
 * created after the capture become unreachable from the roots and are never disposed (their pointers
 * name memory the restore has rewritten).
 */

const MAX_OBJECTS = 5_000;

type Record_ =
  | { kind: 'map'; target: Map<unknown, unknown>; entries: [unknown, unknown][] }
  | { kind: 'set'; target: Set<unknown>; values: unknown[] }
  | { kind: 'array'; target: unknown[]; values: unknown[] }
  | { kind: 'object'; target: object; props: [PropertyKey, PropertyDescriptor][] };

export class JsStateImage {
  private constructor(private readonly records: readonly Record_[]) {}

  /** `opaque`: objects (the Emscripten module, the FFI) restored by reference but never looked into. */
  static capture(roots: readonly object[], opaque: readonly object[]): JsStateImage {
    const seen = new Set<object>(opaque);
    const records: Record_[] = [];
    const queue: unknown[] = [...roots];
    while (queue.length > 0) {
      const value = queue.pop();
      if (!walkable(value) || seen.has(value)) continue;
      seen.add(value);
      if (seen.size > MAX_OBJECTS) throw new Error(`quickjs: the wrapper state has more than ${MAX_OBJECTS} objects; refusing to image it`);
      if (value instanceof Map) {
        const entries = [...value.entries()];
        records.push({ kind: 'map', target: value, entries });
        for (const [k, v] of entries) queue.push(k, v);
      } else if (value instanceof Set) {
        const values = [...value.values()];
        records.push({ kind: 'set', target: value, values });
        queue.push(...values);
      } else if (Array.isArray(value)) {
        const values = [...(value as unknown[])];
        records.push({ kind: 'array', target: value as unknown[], values });
        queue.push(...values);
      } else {
        const props = Reflect.ownKeys(value).map((key) => [key, Object.getOwnPropertyDescriptor(value, key)!] as [PropertyKey, PropertyDescriptor]);
        if (Object.isFrozen(value)) continue;
        records.push({ kind: 'object', target: value, props });
        for (const [, descriptor] of props) if ('value' in descriptor) queue.push(descriptor.value);
      }
    }
    return new JsStateImage(records);
  }

  get objects(): number {
    return this.records.length;
  }

  restore(): void {
    for (const record of this.records) {
      switch (record.kind) {
        case 'map':
          record.target.clear();
          for (const [k, v] of record.entries) record.target.set(k, v);
          break;
        case 'set':
          record.target.clear();
          for (const v of record.values) record.target.add(v);
          break;
        case 'array':
          record.target.length = 0;
          record.target.push(...record.values);
          break;
        case 'object': {
          const target = record.target;
          const keep = new Set(record.props.map(([key]) => key));
          for (const key of Reflect.ownKeys(target)) if (!keep.has(key)) Reflect.deleteProperty(target, key);
          for (const [key, descriptor] of record.props) {
            const now = Object.getOwnPropertyDescriptor(target, key);
            if (now && 'value' in now && 'value' in descriptor && now.value === descriptor.value) continue;
            Object.defineProperty(target, key, descriptor);
          }
        }
      }
    }
  }
}

function walkable(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return false;
  if (value instanceof WebAssembly.Memory || value instanceof WebAssembly.Instance || value instanceof WebAssembly.Module || value instanceof WebAssembly.Global) return false;
  return true;
}
