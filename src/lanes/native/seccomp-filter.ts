/**
 * A seccomp filter for the native sandbox (bwrap --seccomp FD): classic BPF that makes a block-list of
 * system calls fail with EPERM. Namespaces, rlimits and the read-only root already bound what a guest can
 * reach; this trims the kernel surface it can poke at, picking the calls that kernel exploits and
 * sandbox escapes lean on and that code nodes never need: io_uring, eBPF, userfaultfd, perf events,
 * ptrace and cross-process memory access, the key store, module loading, mounts and namespace changes.
 *
 * Portable: builds bytes. x86_64 only (syscall numbers are per architecture); elsewhere there is no filter
 * and the lane says so in describe().
 */

/** x86_64 numbers of the refused calls. */
const REFUSED_X86_64: Record<string, number> = {
  ptrace: 101,
  syslog: 103,
  personality: 135,
  pivot_root: 155,
  acct: 163,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  move_pages: 279,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
};

export const REFUSED_SYSCALLS = Object.keys(REFUSED_X86_64);

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO_EPERM = 0x00050000 | 1;
/** offsetof(struct seccomp_data, nr) and (..., arch). */
const DATA_NR = 0;
const DATA_ARCH = 4;

/** The filter as bwrap reads it (an array of struct sock_filter), or undefined off x86_64. */
export function seccompFilter(arch: string): Uint8Array | undefined {
  if (arch !== 'x64') return undefined;
  const numbers = Object.values(REFUSED_X86_64);
  const program: [number, number, number, number][] = [];
  // Any other ABI (i386 via int 0x80, x32) is killed: its numbers differ and would slip through.
  program.push([BPF_LD_W_ABS, 0, 0, DATA_ARCH]);
  program.push([BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64]);
  program.push([BPF_RET_K, 0, 0, RET_KILL_PROCESS]);
  program.push([BPF_LD_W_ABS, 0, 0, DATA_NR]);
  program.push([BPF_JGE_K, 0, 1, X32_SYSCALL_BIT]);
  program.push([BPF_RET_K, 0, 0, RET_KILL_PROCESS]);
  // One comparison per refused call; a match jumps to the EPERM return right after the ALLOW.
  numbers.forEach((nr, index) => {
    const toErrno = numbers.length - index; // over the remaining comparisons and the ALLOW
    program.push([BPF_JEQ_K, toErrno, 0, nr]);
  });
  program.push([BPF_RET_K, 0, 0, RET_ALLOW]);
  program.push([BPF_RET_K, 0, 0, RET_ERRNO_EPERM]);
  const bytes = new Uint8Array(program.length * 8);
  const view = new DataView(bytes.buffer);
  program.forEach(([code, jt, jf, k], index) => {
    view.setUint16(index * 8, code, true);
    view.setUint8(index * 8 + 2, jt);
    view.setUint8(index * 8 + 3, jf);
    view.setUint32(index * 8 + 4, k, true);
  });
  return bytes;
}
