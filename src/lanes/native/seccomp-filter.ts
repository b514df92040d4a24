/**
 * A seccomp filter for the native sandbox (bwrap --seccomp FD), as classic BPF. Namespaces, rlimits and
 * the read-only root already bound what a guest can reach; this trims the kernel surface it can poke at:
 *
 * - a block-list of system calls that fail with EPERM, picking the calls that kernel exploits and sandbox
 *   escapes lean on and that code nodes never need: io_uring, eBPF, userfaultfd, perf events, ptrace and
 *   cross-process memory access, the key store, module loading, mounts and namespace changes;
 * - an allow-list of socket families. The network namespace is empty, but not every family is scoped by
 *   it: AF_VSOCK talks to the hypervisor (its port space is the host's, a channel around the namespace),
 *   and AF_NETLINK, AF_PACKET, AF_BLUETOOTH, AF_ALG and friends are large kernel surfaces. socket() is
 *   allowed for AF_UNIX (the egress proxy is a Unix socket), AF_INET/AF_INET6 (the loopback of the
 *   sandbox's own namespace: the runner's egress forwarder listens there, and clients need sockets to
 *   fail cleanly with ENETUNREACH) and AF_NETLINK with NETLINK_ROUTE only (glibc's getaddrinfo
 *   AI_ADDRCONFIG and getifaddrs, i.e. Node's dns.lookup and os.networkInterfaces(), read the addresses
 *   of the namespace's lone loopback through it). Everything else fails with EAFNOSUPPORT, as on a kernel
 *   built without that family, so callers take their ordinary fallback. socketpair() is AF_UNIX only.
 *
 * Portable: builds bytes. x86_64 only (syscall numbers are per architecture); elsewhere there is no filter
 * and the lane says so in describe().
 */
import { BpfProgram } from './bpf-program.js';

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

const SYS_SOCKET = 41;
const SYS_SOCKETPAIR = 53;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
/** The socket families a guest may open, as /readyz reports them. */
export const ALLOWED_SOCKET_FAMILIES = ['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK (NETLINK_ROUTE only)'];

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const EAFNOSUPPORT = 97;
/**
 * Offsets in struct seccomp_data: nr, arch, and the low 32 bits of args[0] and args[2] (little endian).
 * The low word is the whole argument here: the kernel reads socket()'s family and protocol as int.
 */
const DATA_NR = 0;
const DATA_ARCH = 4;
const DATA_ARG0_LOW = 16;
const DATA_ARG2_LOW = 32;

/** The filter as bwrap reads it (an array of struct sock_filter), or undefined off x86_64. */
export function seccompFilter(arch: string): Uint8Array | undefined {
  if (arch !== 'x64') return undefined;
  const program = new BpfProgram();
  // Any other ABI (i386 via int 0x80, x32) is killed: its numbers differ and would slip through.
  program.load(DATA_ARCH).ifEqual(AUDIT_ARCH_X86_64, null, 'kill');
  program.load(DATA_NR).ifAtLeast(X32_SYSCALL_BIT, 'kill');
  program.ifEqual(SYS_SOCKET, 'socket').ifEqual(SYS_SOCKETPAIR, 'socketpair');
  for (const nr of Object.values(REFUSED_X86_64)) program.ifEqual(nr, 'eperm');
  program.ret(RET_ALLOW);

  program.label('socket').load(DATA_ARG0_LOW);
  program.ifEqual(AF_UNIX, 'allow').ifEqual(AF_INET, 'allow').ifEqual(AF_INET6, 'allow');
  program.ifEqual(AF_NETLINK, null, 'eafnosupport').load(DATA_ARG2_LOW).ifEqual(NETLINK_ROUTE, 'allow', 'eafnosupport');
  program.label('socketpair').load(DATA_ARG0_LOW).ifEqual(AF_UNIX, 'allow', 'eafnosupport');

  program.label('allow').ret(RET_ALLOW);
  program.label('eperm').ret(RET_ERRNO | EPERM);
  program.label('eafnosupport').ret(RET_ERRNO | EAFNOSUPPORT);
  program.label('kill').ret(RET_KILL_PROCESS);
  return program.bytes();
}
