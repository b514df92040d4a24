/**
 * One execution's world in the wasi lane, made fresh for every run: a file system whose root (`/`, the
 * one preopened directory, fd 3) is the execution's own and holds inputs.json, over an optional
 * read-only layer (Ruby's runtime files); stdin from the request; stdout and stderr captured up to
 * their caps. A relative path in a module (wasi-libc, Rust's std) resolves against this root.
 */
import { ExecutionFs, type DirNode, type FsBudget } from '../../wasi/memory-fs.js';
import type { Descriptor, Session } from '../../wasi/wasi-host.js';
import { StreamCapture } from '../stream-capture.js';

const MAX_INODES = 10_000;
const EMPTY_LAYER: DirNode = { kind: 'dir', ino: 1, entries: new Map(), readonly: true, mtimeNs: 1_700_000_000_000_000_000n };

export interface LaneSession extends Session {
  stdout: StreamCapture;
  stderr: StreamCapture;
  /** Bytes of files the execution created (charged to its memory limit). */
  fsBytes(): number;
  /** /output.json, when the module wrote one: its text, or its size when that is past `limit`. */
  outputFile(limit: number): { text: string } | { tooLarge: number } | undefined;
}

export interface LaneSessionOptions {
  layer?: DirNode;
  files: Map<string, Uint8Array>;
  /** Writable directories beside the root's files (Ruby's /tmp), by name, with their initial files. */
  directories?: Record<string, Map<string, Uint8Array>>;
  stdin: Uint8Array;
  stdoutBytes: number;
  stderrBytes: number;
  /** Bytes the file system may still take, given what it holds already. */
  roomBytes(fsBytes: number): number;
  onCharge(fsBytes: number): void;
}

export function newLaneSession(options: LaneSessionOptions): LaneSession {
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
  const fs = new ExecutionFs(options.layer ?? EMPTY_LAYER, options.directories ?? {}, budget, now, options.files);
  const stdout = new StreamCapture(options.stdoutBytes);
  const stderr = new StreamCapture(options.stderrBytes);
  const sink = (capture: StreamCapture): Descriptor => {
    const text = new TextDecoder('utf-8', { fatal: false });
    return { kind: 'sink', write: (bytes) => capture.write(text.decode(bytes, { stream: true })) };
  };
  const descriptors: (Descriptor | undefined)[] = [
    { kind: 'source', bytes: options.stdin, pos: 0 },
    sink(stdout),
    sink(stderr),
    { kind: 'dir', place: { node: fs.root, chain: [fs.root] }, preopen: '/' },
  ];
  return {
    fs,
    descriptors,
    // No door: a module reaches the host only through WASI.
    door: () => undefined,
    stdout,
    stderr,
    fsBytes: () => fsBytes,
    outputFile(limit) {
      const file = fs.root.entries.get('output.json');
      if (file?.kind !== 'file') return undefined;
      if (file.size > limit) return { tooLarge: file.size };
      return { text: new TextDecoder('utf-8', { fatal: false }).decode(file.bytes.subarray(0, file.size)) };
    },
  };
}
