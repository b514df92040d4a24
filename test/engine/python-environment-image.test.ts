/**
 * An image per Python environment: after the first job of an environment on a worker, its later jobs
 * run on an image where the environment's modules that the code imports are imported already (made
 * while the worker is idle, src/lanes/cpython/driver.ts). That image is reset like the base one,
 * checked byte for byte by verifyResets: what an execution does to those modules is gone for the next,
 * and sys.path is what it is without the image.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_STORE } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

const { engine, run } = useEngine({ storeDir: SHARED_STORE, workers: { quickjs: 0, cpython: 1 }, laneOptions: { cpython: { verifyResets: true } } });

const PACKAGES = ['six==1.16.0', 'attrs==23.2.0'];
const details = () => engine().readiness().lanes.cpython!.details as { environmentImages?: string[] };
async function untilEnvironmentImage(): Promise<void> {
  for (const until = Date.now() + 60_000; Date.now() < until && !details().environmentImages?.length; ) await new Promise((resolve) => setTimeout(resolve, 100));
}

// `imported` is read before the code's own imports run: only an image has the modules then.
const PROBE = `import sys
imported = sorted(name for name in ("attr", "six") if name in sys.modules)
import six, attr

def main(tamper: bool = False):
    view = {"imported": imported, "py3": six.PY3, "define": attr.define.__module__, "evil": getattr(attr, "evil", None),
            "path": [p for p in sys.path if "isola-env" in p]}
    if tamper:
        attr.evil = "left behind"
        six.PY3 = False
        attr.define = None
        sys.modules["six"] = None
    return view
`;

describe('Python environment images', () => {
  it('later jobs of an environment start with its modules imported, and as fresh as the first', async () => {
    const first = await run({ language: 'python', code: PROBE, packages: PACKAGES, inputs: { tamper: true }, timeout_ms: 120_000 });
    expect(first.error, first.stderr).toBeNull();
    expect(first.output).toMatchObject({ imported: [], py3: true, define: 'attr._next_gen', evil: null });
    await untilEnvironmentImage();
    expect(details().environmentImages).toHaveLength(1);

    for (const tamper of [true, false]) {
      const later = await run({ language: 'python', code: PROBE, packages: PACKAGES, inputs: { tamper } });
      expect(later.error, later.stderr).toBeNull();
      // The same view as the first job's, but for the modules being imported already.
      expect(later.output).toEqual({ ...(first.output as object), imported: ['attr', 'six'] });
    }
    // A job of the environment whose code imports none of its modules runs on the base image.
    const plain = await run({ language: 'python', code: 'import sys\nprint(sorted(n for n in ("attr", "six") if n in sys.modules))', packages: PACKAGES });
    expect(plain.stdout).toBe('[]\n');
  }, 240_000);
});
