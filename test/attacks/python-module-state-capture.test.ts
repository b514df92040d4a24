/**
 * Capturing one execution's state in module-level code so that a later one sees it: module-level
 * reads of inputs.json, stdin and the inputs, values drawn from random / secrets / uuid4 / os.urandom,
 * hash() of strings, and function-mode code (`def main(...)`) whose top level stashes what it saw in
 * a module, a builtin, a default argument or a class attribute. The same code runs for several
 * "tenants" with different inputs on one worker: each sees only its own inputs and fresh randomness.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const CAPTURE = `
import builtins, json, os, random, secrets, sys, uuid, functools
with open("inputs.json") as handle:
    AT_IMPORT = json.load(handle)
STDIN = sys.stdin.read()
# Every place a value could be left for the next execution of the same code.
seen = getattr(builtins, "_isola_seen", None)
builtins._isola_seen = (seen or []) + [AT_IMPORT]
json._isola_seen = AT_IMPORT
sys.modules.setdefault("_isola_stash", type(sys)("_isola_stash")).__dict__.setdefault("tenants", []).append(AT_IMPORT)
os.environ["ISOLA_LAST_TENANT"] = json.dumps(AT_IMPORT, separators=(",", ":"))
DRAWN = [random.random(), random.getrandbits(128), secrets.token_hex(16), str(uuid.uuid4()), os.urandom(16).hex(), uuid.uuid1().hex[8:]]
class Cache:
    tenants = []
Cache.tenants.append(AT_IMPORT)

@functools.lru_cache(maxsize=None)
def remembered(key):
    return AT_IMPORT

def main(tenant, secret, history=[]):
    history.append(secret)
    return {
        "tenant": tenant, "at_import": AT_IMPORT, "stdin": json.loads(STDIN), "builtins_seen": builtins._isola_seen,
        "stash": sys.modules["_isola_stash"].tenants, "env": os.environ.get("ISOLA_LAST_TENANT"),
        "history": history, "class": Cache.tenants, "cached": remembered("k"), "drawn": DRAWN,
        "hash": hash("isola"), "set_order": list({"a", "b", "c", "d", "e", "f"}),
    }
`;

describe('module state captured for a later execution', () => {
  it('function-mode code run by five tenants: each sees only its own inputs, and fresh randomness', async () => {
    const results = [];
    for (let tenant = 0; tenant < 5; tenant++) {
      const inputs = { tenant, secret: `secret-of-tenant-${tenant}` };
      const response = await lane.run({ code: CAPTURE, inputs });
      expect(response.error, JSON.stringify(response.error)).toBeNull();
      const output = response.output as Record<string, unknown>;
      expect(output).toMatchObject({
        tenant, at_import: inputs, stdin: inputs, builtins_seen: [inputs], stash: [inputs], env: JSON.stringify(inputs),
        history: [inputs.secret], class: [inputs], cached: inputs,
      });
      results.push(output);
    }
    // Every drawn value is new in every execution.
    for (let i = 0; i < 6; i++) {
      const values = results.map((r) => JSON.stringify((r['drawn'] as unknown[])[i]));
      expect(new Set(values).size, `drawn value ${i}: ${values.join(', ')}`).toBe(results.length);
    }
    // The string-hash seed is per image, by design (docs/security.md): the same on one worker's image.
    expect(new Set(results.map((r) => r['hash'])).size).toBe(1);
    await lane.expectClean();
  });

  it('script-mode code that reads inputs.json at the top level sees only its own, in any order', async () => {
    const code = `import json, random\nprint(json.dumps([json.load(open("inputs.json")), random.random()]))`;
    const seen = [];
    for (const n of [3, 1, 4, 1, 5]) {
      const response = await lane.run({ code, inputs: { n } });
      const [inputs, draw] = JSON.parse(response.stdout) as [unknown, number];
      expect(inputs).toEqual({ n });
      seen.push(draw);
    }
    expect(new Set(seen).size).toBe(5);
  });

  it('random.seed(0) in one execution does not make the next one predictable', async () => {
    await lane.run({ code: 'import random, numpy\nrandom.seed(0)\nnumpy.random.seed(0)' });
    const draw = await lane.run({ code: 'import random, numpy\ndef main():\n    return [random.random(), float(numpy.random.random())]' });
    const seeded = await lane.run({ code: 'import random, numpy\nrandom.seed(0)\nnumpy.random.seed(0)\ndef main():\n    return [random.random(), float(numpy.random.random())]' });
    expect(draw.error).toBeNull();
    expect(draw.output).not.toEqual(seeded.output);
    await lane.expectClean();
  });
});
