/**
 * One execution's world, made fresh for every execution: a file system over the worker's read-only
 * layer with the execution's own /tmp and /work (inputs.json in it), the standard streams, and the door.
 * The descriptor table mirrors the one the image was taken with: 0-2 stdio, 3 the preopened root.
 */
import { StreamCapture } from '../stream-capture.js';
import { ExecutionFs, fileContent, type DirNode, type FileNode, type FsBudget } from '../../wasi/memory-fs.js';
import type { Descriptor, Session } from '../../wasi/wasi-host.js';

export const WORK_DIR = 'work';
const MAX_INODES = 10_000;
const decoder = () => new TextDecoder('utf-8', { fatal: false });

export interface ExecutionSession extends Session {
  stdout: StreamCapture;
  stderr: StreamCapture;
  /** Bytes of files the execution created (charged to its memory budget). */
  readonly fsBytes: () => number;
  /** The text of /work/output.json, when the guest wrote one (up to `limit` bytes, else undefined). */
  outputFile(limit: number): string | undefined;
}

export interface SessionOptions {
  layer: DirNode;
  /**
   * What fd 0 reads, made on its first read: Python's sys.stdin is the runner's own (isola_runner.py),
   * so fd 0 is seldom read, and a 10 MiB input's copy would otherwise be held for every run.
   */
  stdin: () => Uint8Array;
  files: Map<string, Uint8Array>;
  stdoutBytes: number;
  stderrBytes: number;
  /** Bytes the file system may still take, given what it already holds. */
  roomBytes(fsBytes: number): number;
  onCharge(fsBytes: number): void;
  door(request: Uint8Array): Uint8Array | undefined;
  /** Live output: each chunk the captures keep, as it is written (see StreamCapture). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

function lazySource(make: () => Uint8Array): Descriptor {
  let bytes: Uint8Array | undefined;
  return {
    kind: 'source',
    pos: 0,
    get bytes() {
      bytes ??= make();
      return bytes;
    },
  };
}

export function newSession(options: SessionOptions): ExecutionSession {
  let fsBytes = 0;
  const budget: FsBudget = {
    roomBytes: () => options.roomBytes(fsBytes),
    charge(bytes) {
      fsBytes += bytes;
      options.onCharge(fsBytes);
    },
    inodesLeft: MAX_INODES,
  };
  const now = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const fs = new ExecutionFs(options.layer, { tmp: new Map(), [WORK_DIR]: options.files }, budget, now);
  const onOutput = options.onOutput;
  const stdout = new StreamCapture(options.stdoutBytes, onOutput && ((text) => onOutput('stdout', text)));
  const stderr = new StreamCapture(options.stderrBytes, onOutput && ((text) => onOutput('stderr', text)));
  const sink = (capture: StreamCapture): Descriptor => {
    const text = decoder();
    return { kind: 'sink', write: (bytes) => capture.write(text.decode(bytes, { stream: true })) };
  };
  const descriptors: (Descriptor | undefined)[] = [
    lazySource(options.stdin),
    sink(stdout),
    sink(stderr),
    { kind: 'dir', place: { node: fs.root, chain: [fs.root] }, preopen: '/' },
  ];
  return {
    fs,
    descriptors,
    door: options.door,
    stdout,
    stderr,
    fsBytes: () => fsBytes,
    outputFile(limit) {
      const node = fs.root.entries.get(WORK_DIR);
      const file = node?.kind === 'dir' ? node.entries.get('output.json') : undefined;
      if (file?.kind !== 'file' || file.size > limit) return undefined;
      return decoder().decode(fileContent(file as FileNode));
    },
  };
}
