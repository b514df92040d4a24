/**
 * The Pyodide lane driver. One sealed realm with one Pyodide instance per worker, reused for every job
 * and reset in place between jobs (a memory copy plus the JavaScript-side state, see realm.js), so a job
 * never pays for a new interpreter.
 *
 * Start-up: boot from the disk snapshot (Pyodide's memory snapshot in Isola's file format) or, when there
 * is none or it does not check out, boot cold, import the preload modules, snapshot, and store it. Then
 * capture the base image (the instance as every job must find it).
 *
 * Per job, function mode: the first time a code is seen, its module statements run once and the instance
 * is captured as that code's image; the next jobs with the same code start from the image and pay only
 * for main(). Script mode runs from the base image. recycle() puts back the image of the last job's code
 * (or the base), so a repeated code node runs with no restore on the request path.
 *
 * The realm is replaced, not reset, when a job may have changed JavaScript state (taint), when Pyodide
 * failed fatally, or when the heap grew past what is worth keeping.
 */
import type {
  DriverConfig,
  DriverHost,
  EgressRequest,
  EgressResponse,
  EntryMode,
  GuestEnvironment,
  GuestFailure,
  GuestJob,
  GuestResult,
  LaneDriver,
} from '../lane.js';
import { utf8Length } from '../../contract/limits.js';
import type { PyodidePlatform } from './platform.js';
import { PyodideRealm, RealmError, type InvokeOutcome, type RealmFiles } from './realm.js';
import { loadSnapshot, type SnapshotOrigin } from './snapshot-store.js';
import { pyodideOptions, type PyodideOptions } from './options.js';
import { mapOutcome, withPrefix, type Prefix } from './outcome.js';

interface CodeImage {
  id: number;
  bytes: number;
  /** What the module statements printed when the image was made; every run shows it again. */
  prefix: Prefix;
}

export async function createPyodideDriver(host: DriverHost, config: DriverConfig, platform: PyodidePlatform): Promise<LaneDriver> {
  const options = pyodideOptions(config.options);
  const files: RealmFiles = {
    realm: host.runtimeFile('pyodide/realm.js'),
    lane: host.runtimeFile('pyodide/lane.py'),
    runner: host.runtimeFile('python/isola_runner.py'),
    egress: host.runtimeFile('pyodide/egress.py'),
  };
  const started = performance.now();
  // Guest HTTP goes out under the running job's id (the engine applies its allow-list).
  const running: { job: GuestJob | undefined } = { job: undefined };
  const fetchSync = (request: EgressRequest): EgressResponse => {
    if (!running.job) return { ok: false, kind: 'network', message: 'no execution is running' };
    if (!host.fetchSync) return { ok: false, kind: 'network', message: 'synchronous egress is not available here' };
    return host.fetchSync(running.job.id, request);
  };
  const loaded = await loadSnapshot(host, platform, files, options, fetchSync);
  const driver = new PyodideDriver(host, platform, files, options, loaded.realm, loaded.origin, loaded.key, running, fetchSync);
  driver.bootMs = performance.now() - started;
  return driver;
}

class PyodideDriver implements LaneDriver {
  readonly lane = 'pyodide' as const;
  bootMs = 0;
  private baseImage: number;
  /** Image the instance currently equals, or undefined once a job ran on it. */
  private current: number | undefined;
  /** LRU of function-mode images by code (Map order = least recently used first). */
  private readonly images = new Map<string, CodeImage>();
  private imageBytes = 0;
  /** Codes known to run in script mode (nothing to capture for them). */
  private readonly scriptCodes = new Set<string>();
  /** Function-mode codes run once without an image (the next run of one captures it). */
  private readonly seenCodes = new Set<string>();
  /** Environment images by environment hash, in this realm. */
  private readonly envImages = new Map<string, number>();
  private lastImage: CodeImage | undefined;
  private rebuildReason = '';
  private jobs = 0;
  private rebuilds = 0;
  private lastRebuildReason = '';
  private heapBytes = 0;
  private baseHeapBytes = 0;
  private disposed = false;

  constructor(
    private readonly host: DriverHost,
    private readonly platform: PyodidePlatform,
    private readonly files: RealmFiles,
    private readonly options: PyodideOptions,
    private realm: PyodideRealm,
    private snapshotOrigin: SnapshotOrigin,
    private readonly snapshotKey: string,
    private readonly running: { job: GuestJob | undefined },
    private readonly fetchSync: (request: EgressRequest) => EgressResponse,
  ) {
    this.baseImage = realm.captureImage();
    this.current = this.baseImage;
    this.baseHeapBytes = this.heapBytes = realm.imageBytes(this.baseImage);
  }

  async run(job: GuestJob): Promise<GuestResult> {
    if (this.disposed) throw new Error('pyodide driver is disposed');
    // A heap that already exceeds this job's cap cannot shrink: start it on a new instance.
    if (!this.rebuildReason && this.heapBytes > job.memoryBytes && this.heapBytes > this.baseHeapBytes) {
      this.rebuildReason = `heap of ${this.heapBytes} bytes is over the job's ${job.memoryBytes}-byte cap`;
    }
    if (this.rebuildReason) await this.rebuild();
    this.jobs++;
    const setupStart = performance.now();
    // Never erase a deadline that passed while the realm was being rebuilt: the engine set the flag then,
    // and clearing it here would let the guest run until the worker is killed.
    if (this.host.interrupt) Atomics.store(this.host.interrupt, 0, Date.now() >= job.deadline ? 2 : 0);
    this.running.job = job;
    try {
      let start = this.baseImage;
      if (job.environment) {
        const environment = await this.environmentImage(job, job.environment);
        if (typeof environment !== 'number') return { ...environment, setupMs: performance.now() - setupStart, runMs: 0 };
        start = environment;
      }
      return this.runJob(job, start, setupStart);
    } finally {
      this.running.job = undefined;
    }
  }

  /**
   * The image of an environment: the base with its pure-Python wheels unpacked into their own directory
   * on sys.path, their top-level packages imported, and its prebuild run. Made once per realm.
   */
  private async environmentImage(job: GuestJob, environment: GuestEnvironment): Promise<number | Omit<GuestResult, 'setupMs' | 'runMs'>> {
    const cached = this.envImages.get(environment.hash);
    if (cached) {
      this.envImages.delete(environment.hash);
      this.envImages.set(environment.hash, cached);
      return cached;
    }
    const fail = (type: 'package_install' | 'package_unavailable', message: string) => ({
      exitCode: 1,
      mode: (job.mode === 'main' ? 'main' : 'script') as EntryMode,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      failure: { type, message },
      cache: 'miss' as const,
    });
    const { wheels, dynlibs, prebuild } = environment.spec;
    if (Array.isArray(dynlibs) && dynlibs.length > 0) {
      return fail('package_unavailable', 'the environment needs shared libraries (compiled wasm packages), which the pyodide lane does not load yet');
    }
    if (!Array.isArray(wheels) || !wheels.every((wheel): wheel is string => typeof wheel === 'string')) {
      return fail('package_install', 'the environment spec has no list of wheels');
    }
    if (wheels.length > 0 && !this.host.readArtifact) return fail('package_install', 'this host cannot read environment artifacts');
    if (this.envImages.size >= this.options.maxEnvironments) {
      // Unpacked files live in the realm's file system; a new realm starts with none.
      this.rebuildReason = `more than ${this.options.maxEnvironments} environments in one realm`;
      await this.rebuild();
    }
    this.ensure(this.baseImage);
    this.current = undefined;
    const dir = `/lib/isola-envs/${environment.hash.slice(0, 32)}`;
    const paths: string[] = [];
    try {
      for (const [index, wheel] of wheels.entries()) {
        const path = `${dir}/.wheels/${index}-${wheel.replace(/^.*[\\/]/, '')}`;
        this.realm.writeBytes(path, await this.host.readArtifact!(wheel));
        paths.push(path);
      }
    } catch (error) {
      return fail('package_install', `cannot read the environment's wheels: ${error instanceof Error ? error.message : String(error)}`);
    }
    const limits = { memoryBytes: job.memoryBytes, fsBytes: job.memoryBytes, stdoutBytes: job.limits.stdoutBytes, stderrBytes: job.limits.stderrBytes, stdin: '' };
    const installed = this.realm.invoke({ op: 'install', dir, wheels: paths }, { guest: false, ...limits });
    if (!installed.reply || typeof installed.reply['internal'] === 'string' || installed.thrown) {
      this.rebuildReason ||= 'an environment failed to install';
      return fail('package_install', `installing the environment failed: ${String(installed.reply?.['internal'] ?? installed.thrown ?? 'no answer')}`);
    }
    if (Array.isArray(installed.reply['failed']) && installed.reply['failed'].length > 0) {
      this.host.log('debug', 'pyodide: some packages of the environment did not import up front', { failed: installed.reply['failed'] });
    }
    if (typeof prebuild === 'string' && prebuild.trim()) {
      const ran = this.realm.invoke(
        { op: 'execute', code: prebuild, filename: 'prebuild.py', mode: 'script', inputs: '{}', outputLimit: job.limits.outputBytes },
        { guest: true, ...limits },
      );
      const exit = ran.reply?.['exit_code'];
      if (ran.taint) this.rebuildReason ||= `prebuild reached JavaScript (${ran.taint})`;
      if (exit !== 0 || ran.taint) {
        this.rebuildReason ||= 'a prebuild failed';
        const failure = ran.reply?.['failure'] as { message?: string } | undefined;
        return fail('package_install', `prebuild failed: ${failure?.message ?? (ran.taint ? 'it reached JavaScript' : `exit code ${String(exit)}`)}`);
      }
    }
    const id = this.realm.captureImage(this.baseImage);
    this.current = id;
    this.envImages.set(environment.hash, id);
    return id;
  }

  private runJob(job: GuestJob, start: number, setupStart: number): GuestResult {
    const key = `${job.environment?.hash ?? ''}\u0000${codeKey(job)}`;
    const limits = {
      memoryBytes: job.memoryBytes,
      fsBytes: job.memoryBytes,
      stdoutBytes: job.limits.stdoutBytes,
      stderrBytes: job.limits.stderrBytes,
      stdin: job.inputsJson,
    };
    const call = { op: 'call', inputs: job.inputsJson, outputLimit: job.limits.outputBytes };
    let cache: GuestResult['cache'] = 'miss';
    let prefix: Prefix = { stdout: '', stderr: '' };
    let outcome: InvokeOutcome;
    let runStart: number;

    const image = this.images.get(key);
    if (image) {
      cache = 'hit';
      this.images.delete(key);
      this.images.set(key, image);
      this.ensure(image.id);
      this.realm.writeInputs(job.inputsJson);
      prefix = image.prefix;
      runStart = performance.now();
      outcome = this.realm.invoke(call, this.room(limits, prefix));
      this.lastImage = image;
    } else if (this.scriptCodes.has(key)) {
      cache = 'hit';
      this.ensure(start);
      this.realm.writeInputs(job.inputsJson);
      runStart = performance.now();
      outcome = this.realm.invoke(
        { op: 'execute', code: job.code, filename: job.filename, mode: job.mode, inputs: job.inputsJson, outputLimit: job.limits.outputBytes },
        { guest: true, ...limits },
      );
      this.lastImage = start === this.baseImage ? undefined : { id: start, bytes: 0, prefix: { stdout: '', stderr: '' } };
    } else {
      this.ensure(start);
      this.realm.writeInputs(job.inputsJson);
      const prepared = this.realm.invoke({ op: 'prepare', code: job.code, filename: job.filename, mode: job.mode }, { guest: true, ...limits });
      this.current = undefined;
      const reply = prepared.reply;
      if (!reply || typeof reply['mode'] !== 'string' || prepared.thrown) {
        // The module statements were interrupted or broke the lane: that is the job's result.
        this.afterJob(prepared);
        return this.result(job, prepared, { stdout: '', stderr: '' }, cache, setupStart, performance.now());
      }
      prefix = { stdout: prepared.stdout, stderr: prepared.stderr, stdoutTruncated: prepared.stdoutTruncated, stderrTruncated: prepared.stderrTruncated };
      this.lastImage = start === this.baseImage ? undefined : { id: start, bytes: 0, prefix: { stdout: '', stderr: '' } };
      if (reply['mode'] === 'script') {
        this.remember(this.scriptCodes, key);
      } else if (!this.seenCodes.has(key)) {
        // Capturing costs a comparison of the whole heap (~10 ms): worth it for a code that comes back,
        // not for a one-off. The second job with this code makes the image.
        this.remember(this.seenCodes, key);
      } else if (reply['failed'] !== true && !prepared.taint && !prepared.fsTouched && !prepared.memoryCapHit) {
        this.seenCodes.delete(key);
        const id = this.realm.captureImage(this.baseImage);
        const made: CodeImage = { id, bytes: this.realm.imageBytes(id), prefix };
        this.addImage(key, made);
        this.current = id;
        this.lastImage = made;
      }
      if (prepared.taint) this.rebuildReason = `guest reached JavaScript (${prepared.taint})`;
      runStart = performance.now();
      outcome = this.realm.invoke(call, this.room(limits, prefix));
    }
    this.current = undefined;
    this.afterJob(outcome);
    return this.result(job, outcome, prefix, cache, setupStart, runStart);
  }

  async recycle(): Promise<void> {
    if (this.disposed) return;
    if (this.rebuildReason) {
      await this.rebuild();
      return;
    }
    const target = this.lastImage?.id ?? this.baseImage;
    if (this.current !== target) this.ensure(target);
  }

  describe(): Record<string, unknown> {
    return {
      engine: 'pyodide',
      pyodide: this.platform.assets.version,
      rings: { wasm: true, sealed_realm: true },
      snapshot: { key: this.snapshotKey, origin: this.snapshotOrigin },
      bootMs: Math.round(this.bootMs),
      heapBytes: this.heapBytes,
      images: this.images.size,
      environments: this.envImages.size,
      imageBytes: this.imageBytes,
      jobs: this.jobs,
      rebuilds: this.rebuilds,
      ...(this.lastRebuildReason ? { lastRebuildReason: this.lastRebuildReason } : {}),
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.realm.dispose();
    this.images.clear();
  }

  /** Puts the instance back to an image unless it already equals it. */
  private ensure(id: number): void {
    if (this.current === id) return;
    this.realm.restoreImage(id);
    this.current = id;
  }

  private afterJob(outcome: InvokeOutcome): void {
    this.heapBytes = Math.max(this.heapBytes, outcome.heapBytes);
    if (outcome.taint) this.rebuildReason ||= `guest reached JavaScript (${outcome.taint})`;
    else if (outcome.thrown && !outcome.reply) this.rebuildReason ||= `the interpreter failed: ${outcome.thrown}`;
    else if (outcome.heapBytes > this.options.maxHeapBytes) this.rebuildReason ||= `heap grew to ${outcome.heapBytes} bytes`;
  }

  private async rebuild(): Promise<void> {
    const reason = this.rebuildReason;
    this.host.log('debug', 'pyodide: replacing the realm', { reason });
    this.realm.dispose();
    this.images.clear();
    this.envImages.clear();
    this.scriptCodes.clear();
    this.seenCodes.clear();
    this.imageBytes = 0;
    this.lastImage = undefined;
    const loaded = await loadSnapshot(this.host, this.platform, this.files, this.options, this.fetchSync);
    this.realm = loaded.realm;
    this.snapshotOrigin = loaded.origin;
    this.baseImage = this.realm.captureImage();
    this.current = this.baseImage;
    this.baseHeapBytes = this.heapBytes = this.realm.imageBytes(this.baseImage);
    this.lastRebuildReason = reason;
    this.rebuildReason = '';
    this.rebuilds++;
  }

  private addImage(key: string, image: CodeImage): void {
    this.images.set(key, image);
    this.imageBytes += image.bytes;
    while (this.images.size > 0 && (this.imageBytes > this.options.imageCacheBytes || this.images.size > this.options.maxImages)) {
      const [oldestKey, oldest] = this.images.entries().next().value as [string, CodeImage];
      if (oldest === image) break;
      this.images.delete(oldestKey);
      this.imageBytes -= oldest.bytes;
      this.realm.dropImage(oldest.id);
    }
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > this.options.maxImages * 8) set.delete(set.values().next().value as string);
  }

  /** Stream caps left after what the module statements printed. */
  private room<T extends { stdoutBytes: number; stderrBytes: number }>(limits: T, prefix: Prefix): T & { guest: true } {
    const used = utf8Length;
    return {
      ...limits,
      guest: true,
      stdoutBytes: Math.max(0, limits.stdoutBytes - used(prefix.stdout)),
      stderrBytes: Math.max(0, limits.stderrBytes - used(prefix.stderr)),
    };
  }

  private result(job: GuestJob, outcome: InvokeOutcome, prefix: Prefix, cache: GuestResult['cache'], setupStart: number, runStart: number): GuestResult {
    const end = performance.now();
    const interrupted = this.host.interrupt ? Atomics.load(this.host.interrupt, 0) !== 0 : false;
    const mapped = mapOutcome(job, withPrefix(outcome, prefix), { interrupted, deadlinePassed: Date.now() >= job.deadline });
    const outputFileText = mapped.failure && isPlatformFailure(mapped.failure) ? undefined : this.realm.readOutputFile(job.limits.outputBytes);
    return {
      ...mapped,
      ...(outputFileText !== undefined ? { outputFileText } : {}),
      cache,
      setupMs: runStart - setupStart,
      runMs: end - runStart,
    };
  }
}

function isPlatformFailure(failure: GuestFailure): boolean {
  return failure.type === 'timeout' || failure.type === 'memory_limit' || failure.type === 'internal';
}

/** Exact identity of what a function-mode image holds; the code itself, so no two codes can collide. */
function codeKey(job: GuestJob): string {
  return `${job.mode}\u0000${job.filename}\u0000${job.code}`;
}

export { RealmError };
