/**
 * Calling the host door (`_host.call`, see runtimes/cpython/isola_lane.py) directly: unknown and empty
 * frames, forged and malformed results (types the contract does not have, 'internal', exit codes that
 * are not exit codes), a second result, the job asked for again, huge and recursive frames, egress
 * frames with no allow-list, and the glue's own reply function replaced. Each must end with a typed
 * result that is the code's own (never 'internal'), and the next job must not see any of it.
 */
import { describe, expect, it } from 'vitest';
import { ErrorTypeSchema } from '../../src/contract/response.js';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const ATTACKS: Record<string, string> = {
  'unknown, empty and odd frames': `
import _host
for frame in (b"", b"X", b"\\x00" * 10, b"Z" * 1000, b"j", b"r", bytes(range(256))):
    try:
        _host.call(frame)
    except OSError:
        pass
for bad in (None, "R{}", 42, memoryview(b"R{}"), bytearray(b"J")):
    try:
        _host.call(bad)
    except (TypeError, OSError):
        pass
`,
  'a forged result with a type the contract does not have': `import _host\n_host.call(b'R{"mode":"main","exit_code":"zero","return_json":"1","failure":{"type":"pwned","message":"x","traceback":7}}')`,
  "a forged 'internal' result": `import _host\n_host.call(b'R{"internal":"forged","lane_error":null}')`,
  'a forged result with an exit code out of range': `import _host\n_host.call(b'R{"exit_code":1e300}')\nprint("after")`,
  'results that are not JSON objects': `import _host\n_host.call(b'R[1,2,3]')\n_host.call(b'R' + b'\\xff' * 100)`,
  'a result twice, then the real one': `import _host\n_host.call(b'R{"exit_code":0,"return_json":"\\"first\\""}')\n_host.call(b'R{"exit_code":0,"return_json":"\\"second\\""}')\nprint("still running")`,
  'the job asked for again, many times': `import _host, json\nfor _ in range(1000):\n    job = json.loads(_host.call(b"J"))\nassert job["filename"] == "main.py"`,
  'a 64 MiB frame': `import _host\ntry:\n    _host.call(b"R" + b" " * (64 << 20) + b"{}")\nexcept (OSError, MemoryError):\n    pass`,
  'a result nested 100,000 deep inside a string': `import _host\n_host.call(b'R{"exit_code":0,"failure":{"type":"exception","message":"' + b'[' * 100000 + b'"}}')`,
  'egress frames without an allow-list': `
import _host
for frame in (b"F", b"F{}", b"Fnot json", b'F{"url":"http://169.254.169.254/","method":"GET","headers":[]}\\n', b'F{"url":"file:///etc/passwd","method":"GET","headers":[]}', b"F" + b"{" * 100000):
    try:
        print(_host.call(frame)[:80])
    except OSError as error:
        print("refused", error)
`,
  'the reply function replaced, so no result comes back': `import isola_lane\nisola_lane._call = lambda frame: b""`,
  'the reply encoder broken': `import isola_lane\nisola_lane._dumps = lambda value: 1 / 0`,
  'the door called from a finalizer and atexit': `
import _host, atexit, gc
class Ghost:
    def __del__(self):
        _host.call(b'R{"exit_code":3}')
ghost = Ghost()
ghost.self = ghost
atexit.register(_host.call, b'R{"exit_code":4}')
del ghost
gc.collect()
`,
  'os.abort() and os._exit()': 'import os\nos.abort()',
};

const TYPES = new Set<string>(ErrorTypeSchema.options);

describe('abusing the host door (CPython lane)', () => {
  for (const [name, code] of Object.entries(ATTACKS)) {
    it(`${name}: a typed result of the code's own, nothing left behind`, async () => {
      const attack = await lane.attackThenCanary({ code });
      if (attack.error) {
        expect(TYPES.has(attack.error.type), attack.error.type).toBe(true);
        expect(attack.error.type, JSON.stringify(attack.error)).not.toBe('internal');
      }
      expect(Number.isInteger(attack.return_code ?? 0)).toBe(true);
      expect(() => JSON.stringify(attack)).not.toThrow();
      expect(lane.restarts()).toBe(0);
    });
  }

  it('a forged result cannot claim a platform failure other than the ones the code can cause itself', async () => {
    const forged = await lane.run({ code: `import _host\n_host.call(b'R{"failure":{"type":"package_install","message":"x"},"exit_code":0}')` });
    expect(forged.error?.type).toBe('exception');
    const internal = await lane.run({ code: `import _host\n_host.call(b'R{"failure":{"type":"internal","message":"x"}}')` });
    expect(internal.error?.type).toBe('exception');
  });

  it('the result a job sends first is its result, and only its own', async () => {
    const first = await lane.run({ code: `import _host\n_host.call(b'R{"exit_code":0,"return_json":"\\\\"claimed\\\\""}')` });
    expect(first.output).toBe('claimed');
    expect(first.stderr).toBe('');
    const next = await lane.run({ code: 'def main():\n    return "own"' });
    expect(next.output).toBe('own');
  });
});
