/**
 * Tampering with a shared Python environment image: jobs of one environment run on an image with its
 * modules imported (src/lanes/cpython/driver.ts), whoever sends them. The attacker's job patches the
 * environment's modules, swaps sys.modules entries, poisons builtins and the import system and
 * registers exit hooks; the next job of the environment must see the modules as the first job of a
 * fresh worker does, and the canary on the same worker what a fresh engine's canary sees.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_STORE } from '../environments/helpers.js';
import { useCanaryLane } from './canary.js';

const PACKAGES = ['six==1.16.0', 'attrs==23.2.0'];
const lane = useCanaryLane('cpython', { storeDir: SHARED_STORE });

const ATTACK = `import sys, builtins, atexit, importlib
import six, attr
attr.s = attr.define = lambda *a, **k: "pwned"
six.moves = None
six.PY3 = False
sys.modules["attr"] = type(sys)("attr")
builtins.len = lambda x: 0
sys.meta_path.insert(0, type("Evil", (), {"find_spec": staticmethod(lambda *a, **k: None)})())
sys.path_importer_cache.clear()
atexit.register(lambda: print("late"))
print("tampered")
`;
const VICTIM = `import sys
imported = sorted(name for name in ("attr", "six") if name in sys.modules)
import six, attr

def main():
    return {"imported": imported, "py3": six.PY3, "moves": six.moves is not None, "define": attr.define.__module__,
            "len": len([1, 2]), "meta_path": [type(f).__name__ for f in sys.meta_path], "attr_file": attr.__file__}
`;

describe('a tampered Python environment image', () => {
  it('the next job of the environment, and the canary, see nothing of it', async () => {
    const views = [];
    for (let round = 0; round < 3; round++) {
      const attack = await lane.run({ code: ATTACK, packages: PACKAGES, timeout_ms: 120_000 });
      expect(attack.stdout.startsWith('tampered'), attack.stderr).toBe(true);
      const victim = await lane.run({ code: VICTIM, packages: PACKAGES, timeout_ms: 60_000 });
      expect(victim.error, victim.stderr).toBeNull();
      views.push(victim.output as Record<string, unknown>);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // idle: the environment image is made
    }
    // The first victim ran before the image existed; the last ones on it: the same view but for `imported`.
    expect(views.at(-1)!['imported']).toEqual(['attr', 'six']);
    for (const view of views) expect({ ...view, imported: [] }).toEqual({ ...views[0], imported: [] });
    expect(views[0]).toMatchObject({ py3: true, moves: true, define: 'attr._next_gen', len: 2 });
    await lane.expectClean();
    expect(lane.restarts()).toBe(0);
  }, 300_000);
});
