/** Operator options of the native lane (DriverConfig.options), validated with their defaults. */
import { z } from 'zod';

export const NativeOptionsSchema = z.object({
  /** Interpreter run inside the sandbox when the job names no venv. */
  python: z.string().min(1).default('/usr/bin/python3'),
  /** Node run inside the sandbox for JavaScript jobs; default: the Node running the engine. */
  node: z.string().min(1).optional(),
  bwrap: z.string().min(1).default('/usr/bin/bwrap'),
  prlimit: z.string().min(1).default('/usr/bin/prlimit'),
  unshare: z.string().min(1).default('/usr/bin/unshare'),
  /**
   * Size of the job's scratch tmpfs, one budget for /work (the cwd), /tmp and /dev/shm together; also
   * the largest file a job may write. Its pages are memory: count them in the host's budget per job.
   */
  tmpfsMb: z.number().int().min(1).max(4096).default(64),
  /** Files, directories and links the scratch tmpfs may hold (each costs ~1 KiB of kernel memory). */
  tmpfsInodes: z.number().int().min(64).max(1_048_576).default(16_384),
  /** RLIMIT_NPROC inside the sandbox. */
  processes: z.number().int().min(4).max(4096).default(64),
  openFiles: z.number().int().min(16).max(65536).default(256),
  /**
   * Address space granted on top of memory_mb for the interpreter's own mappings (RLIMIT_AS counts
   * virtual memory): CPython alone maps 14 MB, with numpy 99 MB, with pandas 155 MB (of which 69 MB
   * resident). 128 MB lets pandas import under memory_mb 64 and leaves memory_mb for the data.
   */
  memoryOverheadMb: z.number().int().min(0).max(4096).default(128),
  /** The same for Node: V8 reserves ~1 GiB of address space (code range, cages) before running anything. */
  nodeOverheadMb: z.number().int().min(0).max(65536).default(2048),
  /** Store directory (the engine's storeDir): prebuilt files go to <storeDir>/native-prebuilds. */
  storeDir: z.string().min(1).optional(),
  /** A cgroup v2 directory delegated to the service (memory, pids); default: the service's own cgroup. */
  cgroupParent: z.string().min(1).optional(),
  /** Deadline of an environment's prebuild, run once per environment. */
  prebuildTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
  /**
   * Host uid/gid the sandbox runs as when the service runs as root. Never 0: the kernel exempts root
   * from RLIMIT_NPROC, which is what stops fork bombs. Ignored when the service is not root.
   */
  hostUid: z.number().int().min(1).default(65534),
  hostGid: z.number().int().min(1).default(65534),
});
export type NativeOptions = z.infer<typeof NativeOptionsSchema> & { node: string };

/** Validated options with defaults; `defaultNode` is the engine's own Node (process.execPath). */
export function nativeOptions(options: Record<string, unknown>, defaultNode: string): NativeOptions {
  const parsed = NativeOptionsSchema.parse(options);
  return { ...parsed, node: parsed.node ?? defaultNode };
}
