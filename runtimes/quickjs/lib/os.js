// node:os with the sandbox's own answers: a Linux-like machine with one CPU and no network interfaces.
// Scripts use os for EOL, tmpdir() and cpus().length; none of these reveal anything about the host.
(function (internal) {
  'use strict';
  const cpu = { model: 'isola sandbox', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  return {
    EOL: '\n',
    devNull: '/dev/null',
    platform: () => 'linux',
    type: () => 'Linux',
    arch: () => 'wasm32',
    machine: () => 'wasm32',
    release: () => '0.0.0-isola',
    version: () => 'isola sandbox',
    hostname: () => 'sandbox',
    homedir: () => internal.cwd,
    tmpdir: () => '/tmp',
    endianness: () => 'LE',
    uptime: () => Math.floor(internal.now() / 1000),
    loadavg: () => [0, 0, 0],
    totalmem: () => 256 * 1024 * 1024,
    freemem: () => 128 * 1024 * 1024,
    availableParallelism: () => 1,
    cpus: () => [Object.assign({}, cpu, { times: Object.assign({}, cpu.times) })],
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 10000, gid: 10000, username: 'sandbox', homedir: internal.cwd, shell: null }),
    constants: { signals: {}, errno: {} },
  };
});
