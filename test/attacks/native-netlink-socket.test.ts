/**
 * Attack: netlink beyond routing. The empty network namespace scopes NETLINK_ROUTE to the sandbox's own
 * loopback, but other netlink protocols reach shared kernel state or large parsers: KOBJECT_UEVENT
 * delivers the host's device events, AUDIT and XFRM talk to host-wide subsystems, NETFILTER and GENERIC
 * are big attack surfaces (a common first step of kernel exploits). The seccomp filter admits
 * AF_NETLINK with protocol NETLINK_ROUTE only (getaddrinfo's AI_ADDRCONFIG and getifaddrs need it);
 * checked here with the raw system call, so no libc or Python wrapper can stand in for the kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanary } from './native-canary.js';

let driver: LaneDriver;
beforeAll(async () => {
  driver = await createDriver(testHost(), { options: {} });
});
afterAll(async () => {
  await driver.dispose();
});
const canary = useCanary(() => driver);

const PROTOCOLS = { route: 0, sock_diag: 4, xfrm: 6, audit: 9, netfilter: 12, kobject_uevent: 15, generic: 16, rdma: 20, crypto: 21 };

const probe = lines(
  'import ctypes, json, os',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'libc.syscall.restype = ctypes.c_long',
  'SOCKET, AF_NETLINK, SOCK_RAW, SOCK_DGRAM = 41, 16, 3, 2',
  'def raw(kind, protocol):',
  '    ctypes.set_errno(0)',
  '    fd = libc.syscall(ctypes.c_long(SOCKET), ctypes.c_long(AF_NETLINK), ctypes.c_long(kind), ctypes.c_long(protocol))',
  '    if fd >= 0:',
  '        os.close(fd)',
  '        return "open"',
  '    return os.strerror(ctypes.get_errno())',
  `protocols = ${JSON.stringify(PROTOCOLS)}`,
  'seen = {name: raw(SOCK_RAW, number) for name, number in protocols.items()}',
  'seen["route dgram"] = raw(SOCK_DGRAM, 0)',
  'seen["uevent, high bits set in the protocol"] = raw(SOCK_DGRAM, (1 << 32) | 15)',
  'print(json.dumps(seen))',
);

describe.runIf(process.arch === 'x64')('attack: netlink sockets other than NETLINK_ROUTE', () => {
  it('refuses every netlink protocol but routing with EAFNOSUPPORT', async () => {
    const result = await driver.run(pythonJob(probe));
    expect(result.failure, result.stderr).toBeUndefined();
    const refused = 'Address family not supported by protocol';
    const expected: Record<string, string> = { 'route dgram': 'open', 'uevent, high bits set in the protocol': refused };
    for (const name of Object.keys(PROTOCOLS)) expected[name] = name === 'route' ? 'open' : refused;
    expect(JSON.parse(result.stdout)).toEqual(expected);
    await canary.expectClean();
  });
});
