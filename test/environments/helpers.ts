/**
 * Shared set-up of the environment suites. SHARED_STORE is a fixed path under the OS temp dir: every
 * test file (and every run) reuses what earlier ones built, which is exactly the content-addressed
 * cache under test, so only the first run on a machine pays real installs. Tests that must see a miss
 * use a fresh store from freshStore() (npm's and pip's own caches still keep those quick).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { EnvLogger } from '../../src/environments/index.js';

export const SHARED_STORE = join(tmpdir(), 'isola-test-env-store');

export function freshStore(prefix = 'isola-env-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  level: string;
  msg: string | undefined;
  obj: object;
}

/** A logger that records what the manager says, so tests can count builds. */
export function recordingLogger(): EnvLogger & { lines: LogLine[]; count(msg: string): number } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, msg, obj });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    count: (msg: string) => lines.filter((line) => line.msg === msg).length,
  };
}

/**
 * Writes a minimal valid wheel (METADATA, WHEEL, RECORD, one module) with the given tags, using the
 * host's Python zipfile so the archive is exactly what pip expects.
 */
export function makeWheel(dir: string, name: string, version: string, tags: string, moduleText: string, requires: string[] = []): string {
  const file = `${name}-${version}-${tags}.whl`;
  const script = `
import sys, zipfile
path, name, version, tags, module = sys.argv[1:6]
requires = "".join(f"Requires-Dist: {r}\\n" for r in sys.argv[6:])
info = f"{name}-{version}.dist-info"
files = {
  f"{name}.py": module,
  f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n{requires}",
  f"{info}/WHEEL": f"Wheel-Version: 1.0\\nGenerator: isola-test\\nRoot-Is-Purelib: false\\nTag: {tags}\\n",
}
files[f"{info}/RECORD"] = "".join(f"{k},,\\n" for k in files) + f"{info}/RECORD,,\\n"
with zipfile.ZipFile(path, "w") as z:
  for k, v in files.items():
    z.writestr(k, v)
`;
  const scriptPath = join(dir, '.make-wheel.py');
  writeFileSync(scriptPath, script);
  execFileSync('python3', [scriptPath, join(dir, file), name, version, tags, moduleText, ...requires]);
  rmSync(scriptPath);
  return file;
}
