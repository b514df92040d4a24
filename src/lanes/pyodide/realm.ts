/**
 * One sealed realm with one Pyodide instance in it: the host side of runtimes/pyodide/realm.js.
 *
 * Everything that crosses into the realm is a primitive or a buffer of the realm the host filled;
 * everything that comes back is checked to be a primitive before use. Functions of the realm's API are
 * captured once, at install time, before any guest code ran; the host never looks a property up on a
 * realm object afterwards (the guest may have replaced it) and never awaits a realm promise.
 */
import type { PyodidePlatform, TzdataZip } from './platform.js';
import { createHostServices, type HostServices, type HostServicesConfig } from './host-services.js';

export interface RealmFiles {
  realm: string;
  lane: string;
  runner: string;
  /** HTTP for the guest: requests, urllib.request and pyodide.http over the host's egress bridge. */
  egress: string;
}

export interface InvokeOptions {
  /** Whether guest code runs in this call (arms taint detection and the file-system guard). */
  guest: boolean;
  memoryBytes: number;
  fsBytes: number;
  stdoutBytes: number;
  stderrBytes: number;
  stdin: string;
}

export interface InvokeOutcome {
  /** Parsed reply of lane.py's entry(), undefined when it never replied (interrupted, crashed). */
  reply: Record<string, unknown> | undefined;
  /** What escaped lane.py as a JavaScript exception ("" if nothing). */
  thrown: string;
  /** Why the realm can no longer be trusted ("" if it can). */
  taint: string;
  fsTouched: boolean;
  memoryCapHit: boolean;
  heapBytes: number;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/** Realm API functions (see the return value of installRealm in realm.js). */
type RealmFunction = (...args: unknown[]) => unknown;
interface RealmApi {
  allocate: RealmFunction;
  compile: RealmFunction;
  boot: RealmFunction;
  runPython: RealmFunction;
  setEntry: RealmFunction;
  writeFile: RealmFunction;
  writeBytes: RealmFunction;
  writeInputs: RealmFunction;
  invoke: RealmFunction;
  readOutputFile: RealmFunction;
  makeSnapshot: RealmFunction;
  captureImage: RealmFunction;
  imageBytes: RealmFunction;
  restoreImage: RealmFunction;
  dropImage: RealmFunction;
  fireTimer: RealmFunction;
  state: RealmFunction;
}
const API_NAMES: readonly (keyof RealmApi)[] = [
  'allocate',
  'compile',
  'boot',
  'runPython',
  'setEntry',
  'writeFile',
  'writeBytes',
  'writeInputs',
  'invoke',
  'readOutputFile',
  'makeSnapshot',
  'captureImage',
  'imageBytes',
  'restoreImage',
  'dropImage',
  'fireTimer',
  'state',
];

/** Where the tzdata package zip goes; lane.py puts it on sys.path. */
const TZDATA_PATH = '/lib/isola-tzdata.zip';

export class RealmError extends Error {
  override readonly name = 'RealmError';
}

const hostU8Set = Uint8Array.prototype.set;
const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length')!.get!;

export interface RealmOptions {
  /** Extra modules to import before the snapshot (operator option). */
  preload?: readonly string[];
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  interrupt?: Int32Array;
  fetchSync?: HostServicesConfig['fetchSync'];
}

export interface BootOptions extends RealmOptions {
  /** Pyodide's own snapshot bytes to start from, or undefined for a cold start. */
  snapshot?: Uint8Array;
  /** Cold start that will be snapshotted (Pyodide then records how Python reached JS objects). */
  makeSnapshot?: boolean;
}

/** A prepared realm waiting for its snapshot (or a cold start). */
export interface RealmShell {
  start(snapshot: Uint8Array | undefined, makeSnapshot: boolean): Promise<PyodideRealm>;
  /** Drops a shell that will not be started. */
  dispose(): void;
}

export class PyodideRealm {
  private constructor(
    private readonly api: RealmApi,
    private readonly services: HostServices,
  ) {}

  /** A realm with Pyodide booted in it: prepare() and start() in one go. */
  static async boot(platform: PyodidePlatform, files: RealmFiles, options: BootOptions): Promise<PyodideRealm> {
    return PyodideRealm.prepare(platform, files, options).start(options.snapshot, options.makeSnapshot === true);
  }

  /**
   * The synchronous half of a boot (the sealed context, realm.js, pyodide.asm.js, the wasm compiled):
   * it needs no snapshot, so it can run while the snapshot is still being read.
   */
  static prepare(platform: PyodidePlatform, files: RealmFiles, options: RealmOptions): RealmShell {
    const context = platform.newContext();
    let api: RealmApi | undefined;
    const services = createHostServices({
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
      ...(options.fetchSync ? { fetchSync: options.fetchSync } : {}),
      log: options.log,
      fireTimer: (id) => api?.fireTimer(id),
    });
    const install = context.evaluate(files.realm, 'isola-realm.js');
    if (typeof install !== 'function') throw new RealmError('realm.js did not evaluate to a function');
    const bag = install(services.functions) as Record<string, unknown>;
    api = captureApi(bag);
    const createModule = context.evaluate(platform.assets.moduleScript, 'pyodide.asm.js');
    if (typeof createModule !== 'function') throw new RealmError('pyodide.asm.js did not evaluate to a function');
    const compiled = api.compile(copyIn(api, platform.assets.readWasm()));
    if (compiled !== 'ok') throw new RealmError(`compiling pyodide.asm.wasm failed: ${String(compiled).slice(1)}`);
    const realmApi = api;
    let used = false;
    return {
      start: async (snapshot, makeSnapshot) => {
        if (used) throw new RealmError('a realm shell starts once');
        used = true;
        await bootInstance(realmApi, services, createModule, platform, snapshot, makeSnapshot);
        const realm = new PyodideRealm(realmApi, services);
        realm.installFiles(files, platform.assets.readTzdata());
        if (!snapshot) {
          realm.runPython(
            `import sys\nsys.path.insert(0, '/lib/isola')\nimport _isola_lane\n_isola_lane.boot(${JSON.stringify(options.preload ?? [])})\nsys.path.remove('/lib/isola')`,
          );
        }
        realm.check(realmApi.setEntry('_isola_lane', 'entry'), 'setEntry');
        return realm;
      },
      dispose: () => services.clearTimers(),
    };
  }

  /** Guest-side Python files live in the realm's file system (tracebacks and linecache read them). */
  private installFiles(files: RealmFiles, tzdata: TzdataZip | undefined): void {
    this.check(this.api.writeFile('/lib/isola/_isola_lane.py', files.lane), 'writeFile');
    this.check(this.api.writeFile('/lib/isola/isola_runner.py', files.runner), 'writeFile');
    this.check(this.api.writeFile('/lib/isola/_isola_egress.py', files.egress), 'writeFile');
    if (tzdata) this.check(this.api.writeBytes(TZDATA_PATH, copyIn(this.api, tzdata.zip)), 'writeBytes');
  }

  runPython(code: string): string {
    const result = this.api.runPython(code);
    if (typeof result !== 'string' || result.startsWith('!')) throw new RealmError(`runPython failed: ${String(result).slice(1)}`);
    return result;
  }

  /** Writes bytes into the realm's file system (the lane's own files; guest code cannot write there). */
  writeBytes(path: string, bytes: Uint8Array): void {
    this.check(this.api.writeBytes(path, copyIn(this.api, bytes)), 'writeBytes');
  }

  writeInputs(inputsJson: string): void {
    this.check(this.api.writeInputs(inputsJson), 'writeInputs');
  }

  invoke(request: Record<string, unknown>, options: InvokeOptions): InvokeOutcome {
    const text = this.api.invoke(JSON.stringify(request), JSON.stringify(options));
    if (typeof text !== 'string' || text.startsWith('!')) throw new RealmError(`invoke failed: ${String(text).slice(1)}`);
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (raw['realm'] === 'broken') throw new RealmError(`realm unusable: ${String(raw['reason'])}`);
    let reply: Record<string, unknown> | undefined;
    if (typeof raw['reply'] === 'string' && raw['reply'] !== '') {
      try {
        const parsed: unknown = JSON.parse(raw['reply']);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) reply = parsed as Record<string, unknown>;
      } catch {
        reply = undefined;
      }
    }
    return {
      reply,
      thrown: str(raw['thrown']),
      taint: str(raw['taint']),
      fsTouched: raw['fsTouched'] === true,
      memoryCapHit: raw['memoryCapHit'] === true,
      heapBytes: typeof raw['heapBytes'] === 'number' ? raw['heapBytes'] : 0,
      stdout: str(raw['stdout']),
      stderr: str(raw['stderr']),
      stdoutTruncated: raw['stdoutTruncated'] === true,
      stderrTruncated: raw['stderrTruncated'] === true,
    };
  }

  /** ./output.json of the last run, read up to limit + 1 bytes (so an oversize file is still noticed). */
  readOutputFile(limit: number): string | undefined {
    const text = this.api.readOutputFile(limit);
    if (typeof text !== 'string' || text.startsWith('!')) return undefined;
    const parsed = JSON.parse(text) as { present?: boolean; text?: string };
    return parsed.present === true && typeof parsed.text === 'string' ? parsed.text : undefined;
  }

  /** Pyodide's own snapshot of the instance (only for a realm booted with makeSnapshot). */
  makeSnapshot(): Uint8Array {
    const bytes = this.api.makeSnapshot();
    if (typeof bytes === 'string') throw new RealmError(`makeMemorySnapshot failed: ${bytes.slice(1)}`);
    return copyOut(bytes);
  }

  /** Captures the instance as an image; with `base`, as the pages that differ from that full image. */
  captureImage(base?: number): number {
    const id = this.api.captureImage(base ?? 0);
    if (typeof id !== 'number') throw new RealmError(`captureImage failed: ${String(id).slice(1)}`);
    return id;
  }

  imageBytes(id: number): number {
    const bytes = this.api.imageBytes(id);
    return typeof bytes === 'number' ? bytes : 0;
  }

  restoreImage(id: number): void {
    this.check(this.api.restoreImage(id), 'restoreImage');
  }

  dropImage(id: number): void {
    this.api.dropImage(id);
  }

  state(): { booted: boolean; broken: string; heapBytes: number; timers: number; generation: number } {
    const text = this.api.state();
    if (typeof text !== 'string' || text.startsWith('!')) throw new RealmError('state unavailable');
    return JSON.parse(text) as { booted: boolean; broken: string; heapBytes: number; timers: number; generation: number };
  }

  /** Drops the realm: its timers stop; the context goes when nothing references it. */
  dispose(): void {
    this.services.clearTimers();
  }

  private check(result: unknown, what: string): void {
    if (result !== 'ok') throw new RealmError(`${what} failed: ${typeof result === 'string' ? result.slice(1) : 'no answer'}`);
  }
}

/**
 * Boots Pyodide in the realm. Its own function, so that the copies of the wasm, the standard library and
 * the snapshot (tens of MB) are garbage as soon as it returns; as locals of boot() they stayed reachable
 * from the promise callbacks' shared scope.
 */
function bootInstance(
  api: RealmApi,
  services: HostServices,
  createModule: unknown,
  platform: PyodidePlatform,
  snapshot: Uint8Array | undefined,
  makeSnapshot: boolean,
): Promise<void> {
  // Pyodide's snapshot: header + JSON up to the offset in its second word, then the heap. The realm gets
  // a copy of the head; the heap goes from here straight into its memory (services.copySnapshot).
  let head: Uint8Array | null = null;
  let heapBytes = 0;
  if (snapshot) {
    if (snapshot.length < 48) throw new RealmError('snapshot too short');
    const offset = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength).getUint32(4, true);
    if (offset < 48 || offset > snapshot.length) throw new RealmError('snapshot header is inconsistent');
    head = copyIn(api, snapshot.subarray(0, offset));
    heapBytes = snapshot.length - offset;
    services.setSnapshot(snapshot.subarray(offset));
  }
  return new Promise<void>((resolve, reject) => {
    const done = (ok: unknown, message: unknown) => {
      services.setSnapshot(undefined);
      if (ok === true) resolve();
      else reject(new RealmError(`Pyodide failed to start: ${typeof message === 'string' ? message : 'unknown error'}`));
    };
    api.boot(
      createModule,
      copyIn(api, platform.assets.readStdlib()),
      platform.assets.lockFile,
      platform.assets.buildId,
      head,
      heapBytes,
      makeSnapshot,
      done,
    );
  });
}

function captureApi(bag: Record<string, unknown>): RealmApi {
  const api = {} as Record<string, RealmFunction>;
  for (const name of API_NAMES) {
    const fn = bag[name];
    if (typeof fn !== 'function') throw new RealmError(`realm.js lacks ${name}()`);
    api[name] = fn as RealmFunction;
  }
  return api as unknown as RealmApi;
}

/** Copies host bytes into a fresh Uint8Array of the realm. */
function copyIn(api: RealmApi, bytes: Uint8Array): Uint8Array {
  const target = api.allocate(bytes.length) as Uint8Array;
  Reflect.apply(hostU8Set, target, [bytes]);
  return target;
}

/** Copies a realm Uint8Array into host memory, using only host intrinsics on it. */
function copyOut(value: unknown): Uint8Array {
  if (!ArrayBuffer.isView(value)) throw new RealmError('expected bytes from the realm');
  const length = Reflect.apply(typedArrayLength, value, []) as number;
  const out = new Uint8Array(length);
  Reflect.apply(hostU8Set, out, [value]);
  return out;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
