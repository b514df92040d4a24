/**
 * Reaching past the guest's file system through WASI: "..", absolute and odd paths, symbolic and hard
 * links, /proc and /dev, os.open flags, descriptor numbers guessed from 3 to 64, the preopened root's
 * descriptor (closed, duplicated, renumbered), and os.scandir of every directory. Nothing of the host
 * may appear, nothing may throw out of the host, and the canary on the same worker stays a fresh one's.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const PROBE = String.raw`
import errno, json, os
report = {}
def attempt(name, fn):
    try:
        value = fn()
        report[name] = ["ok", value if isinstance(value, (int, str, list, type(None))) else repr(value)[:200]]
    except BaseException as error:
        report[name] = [type(error).__name__, errno.errorcode.get(getattr(error, "errno", None) or 0, "")]
def read(path):
    with open(path, "rb") as handle:
        return handle.read(200).decode("latin-1")
for path in ["../../../../etc/passwd", "/../../etc/passwd", "/etc/passwd", "/proc/self/environ", "/proc/self/maps",
             "/proc/1/cmdline", "/dev/zero", "/dev/urandom", "/sys/kernel/hostname", "//etc/hostname",
             "/work/../../etc/hostname", "/tmp/./../../../root", "\\etc\\passwd", "/work/\x00/x",
             "/" + "a/" * 3000, "/usr/local/lib/../../../../../../work/inputs.json", "~/.ssh/id_rsa",
             "/work/wt-attacks/package.json", "/node_modules/.bin/node"]:
    attempt("read " + path[:60], lambda p=path: read(p))
for path in ["/", "..", "../..", "/..", "/proc", "/dev", "/usr", "/usr/local/lib", "/tmp", "/work"]:
    attempt("scandir " + path, lambda p=path: sorted(entry.name for entry in os.scandir(p)))
attempt("symlink", lambda: os.symlink("/etc/passwd", "/tmp/link"))
attempt("hardlink", lambda: os.link("/usr/local/lib/isola/isola_lane.py", "/tmp/hard"))
attempt("readlink", lambda: os.readlink("/usr"))
attempt("realpath", lambda: os.path.realpath("/tmp/../../.."))
for fd in range(3, 65):
    attempt("read fd %d" % fd, lambda fd=fd: os.read(fd, 100).decode("latin-1"))
    attempt("fstat fd %d" % fd, lambda fd=fd: [os.fstat(fd).st_ino, os.fstat(fd).st_mode])
attempt("openat preopen ..", lambda: os.listdir(os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=3)))
attempt("open O_CREAT|O_EXCL /", lambda: os.open("/planted", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
attempt("open O_TRUNC stdlib", lambda: os.open("/usr/local/lib/python315.zip", os.O_TRUNC | os.O_WRONLY))
attempt("open O_APPEND lane", lambda: os.open("/usr/local/lib/isola/isola_lane.py", os.O_APPEND | os.O_WRONLY))
attempt("open O_DIRECTORY file", lambda: os.open("/work/inputs.json", os.O_DIRECTORY))
attempt("open O_NOFOLLOW", lambda: os.open("/tmp", os.O_NOFOLLOW | os.O_RDONLY))
attempt("many descriptors", lambda: len([os.open("/work/inputs.json", os.O_RDONLY) for _ in range(2000)]))
attempt("dup2 onto preopen", lambda: os.dup2(os.open("/tmp", os.O_RDONLY), 3))
attempt("close preopen", lambda: os.close(3))
attempt("after close, read /work", lambda: sorted(os.listdir("/work")))
attempt("chdir ..", lambda: (os.chdir("/"), os.chdir(".."), os.getcwd())[2])
print(json.dumps(report))
`;

const HOST = /passwd|root:|PATH=|node_modules|wt-attacks|\/home\/|\/etc\/host|ISOLA_|BEGIN|package\.json/;

describe('escaping the WASI file system (CPython lane)', () => {
  it('no path, link or descriptor reaches the host; the worker stays clean', async () => {
    const attack = await lane.attackThenCanary({ code: PROBE, timeout_ms: 5000 });
    expect(attack.error, JSON.stringify(attack.error)).toBeNull();
    const report = JSON.parse(attack.stdout) as Record<string, [string, unknown]>;
    if (process.env['ISOLA_DEBUG_ATTACKS']) console.log(report);
    for (const [name, [outcome, value]] of Object.entries(report)) {
      if (outcome === 'ok') expect(JSON.stringify(value), name).not.toMatch(HOST);
    }
    for (const name of Object.keys(report).filter((n) => n.startsWith('read /') && !n.includes('inputs.json'))) {
      expect(report[name]![0], `${name}: ${JSON.stringify(report[name])}`).not.toBe('ok');
    }
    expect(report['scandir /']).toEqual(['ok', ['tmp', 'usr', 'work']]);
    // POSIX makes /.. the root; WASI refuses to go above the preopen. Either way, nothing above it.
    expect(report['scandir /..']![0] === 'PermissionError' || JSON.stringify(report['scandir /..']) === JSON.stringify(report['scandir /'])).toBe(true);
    expect(report['scandir /proc']![0]).toBe('FileNotFoundError');
    expect(report['symlink']![0]).not.toBe('ok');
    expect(report['hardlink']![0]).not.toBe('ok');
    expect(report['open O_CREAT|O_EXCL /']![0]).not.toBe('ok');
    expect(report['open O_TRUNC stdlib']![0]).not.toBe('ok');
    expect(report['open O_APPEND lane']![0]).not.toBe('ok');
    // Guessed descriptors 4..64 are closed; 3 is the preopened root (a directory, not readable as bytes).
    for (let fd = 4; fd <= 64; fd++) expect(report[`read fd ${fd}`]![0], `fd ${fd}`).toBe('OSError');
    expect(report['many descriptors']).toEqual(['OSError', 'EMFILE']);
    const next = await lane.run({ code: 'import os\ndef main():\n    return [sorted(os.listdir("/")), sorted(os.listdir("/work")), os.getcwd()]' });
    expect(next.output).toEqual([['tmp', 'usr', 'work'], ['inputs.json'], '/work']);
  });

  it('a closed or renumbered preopen in one job leaves the next job its root', async () => {
    await lane.run({ code: 'import os\nfor fd in range(0, 64):\n    try:\n        os.close(fd)\n    except OSError:\n        pass' });
    const next = await lane.run({ code: 'import os, sys\nprint("still printing")\ndef main():\n    return sorted(os.listdir("/"))' });
    expect(next.stdout).toBe('still printing\n');
    expect(next.output).toEqual(['tmp', 'usr', 'work']);
    await lane.expectClean();
  });
});
