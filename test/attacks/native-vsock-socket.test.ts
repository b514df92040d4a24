/**
 * Attack: open an AF_VSOCK socket from inside the sandbox. The network namespace is empty, but vsock's
 * port space is the host's (a port the host holds answered EADDRINUSE): a channel around the namespace
 * toward hypervisor services. The same goes for other families the namespace does not scope or that
 * are large kernel surfaces (netlink beyond NETLINK_ROUTE, packet, bluetooth, AF_ALG). The seccomp
 * filter admits only the families the runtimes need; this file checks both sides of that line, with the
 * libc wrapper and with the raw system call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, nodeJob, pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanary } from './native-canary.js';

let driver: LaneDriver;
beforeAll(async () => {
  driver = await createDriver(testHost(), { options: {} });
});
afterAll(async () => {
  await driver.dispose();
});
const canary = useCanary(() => driver);

/** socket(family, type, protocol) through libc's syscall(2), so no Python-level check can stand in for the kernel's. */
const probe = lines(
  'import ctypes, json, os',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'libc.syscall.restype = ctypes.c_long',
  'def raw(nr, *args):',
  '    ctypes.set_errno(0)',
  '    fd = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])',
  '    if fd >= 0:',
  '        os.close(fd)',
  '        return "open"',
  '    return os.strerror(ctypes.get_errno())',
  'pair = (ctypes.c_int * 2)()',
  'def raw_pair(family, kind):',
  '    ctypes.set_errno(0)',
  '    if libc.socketpair(family, kind, 0, pair) == 0:',
  '        os.close(pair[0]); os.close(pair[1])',
  '        return "open"',
  '    return os.strerror(ctypes.get_errno())',
  'SOCKET = 41',
  'print(json.dumps({',
  '    "vsock stream": raw(SOCKET, 40, 1, 0),',
  '    "vsock dgram": raw(SOCKET, 40, 2, 0),',
  '    "vsock, high bits set in the family": raw(SOCKET, (1 << 32) | 40, 1, 0),',
  '    "packet": raw(SOCKET, 17, 3, 0),',
  '    "bluetooth": raw(SOCKET, 31, 1, 0),',
  '    "alg": raw(SOCKET, 38, 5, 0),',
  '    "netlink netfilter": raw(SOCKET, 16, 3, 12),',
  '    "netlink generic": raw(SOCKET, 16, 3, 16),',
  '    "netlink route": raw(SOCKET, 16, 3, 0),',
  '    "unix": raw(SOCKET, 1, 1, 0),',
  '    "inet": raw(SOCKET, 2, 1, 0),',
  '    "inet6": raw(SOCKET, 10, 2, 0),',
  '    "socketpair unix": raw_pair(1, 1),',
  '    "socketpair vsock": raw_pair(40, 1),',
  '    "socketpair inet": raw_pair(2, 1),',
  '}))',
);

describe.runIf(process.arch === 'x64')('attack: sockets of families outside the network namespace', () => {
  it('refuses AF_VSOCK and the other unneeded families with EAFNOSUPPORT, and keeps the ones the runtimes use', async () => {
    const result = await driver.run(pythonJob(probe));
    expect(result.failure, result.stderr).toBeUndefined();
    const refused = 'Address family not supported by protocol';
    expect(JSON.parse(result.stdout)).toEqual({
      'vsock stream': refused,
      'vsock dgram': refused,
      'vsock, high bits set in the family': refused,
      packet: refused,
      bluetooth: refused,
      alg: refused,
      'netlink netfilter': refused,
      'netlink generic': refused,
      'netlink route': 'open',
      unix: 'open',
      inet: 'open',
      inet6: 'open',
      'socketpair unix': 'open',
      'socketpair vsock': refused,
      'socketpair inet': refused,
    });
    await canary.expectClean();
  });

  it('leaves Node what it needs: dns.lookup, os.networkInterfaces and a clean ENETUNREACH', async () => {
    const code = lines(
      'const os = require("os"), dns = require("dns"), net = require("net");',
      'dns.lookup("localhost", (error, address) => {',
      '  const socket = net.connect(80, "1.1.1.1");',
      '  socket.on("error", (e) => console.log(JSON.stringify({ lookup: error ? error.code : address, interfaces: Object.keys(os.networkInterfaces()), connect: e.code })));',
      '});',
    );
    const result = await driver.run(nodeJob(code));
    expect(JSON.parse(result.stdout), result.stderr).toEqual({ lookup: '127.0.0.1', interfaces: ['lo'], connect: 'ENETUNREACH' });
  });
});
