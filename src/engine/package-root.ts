/** Locates Isola's own package directory (for runtimes/ and the compiled worker), from src/ or dist/. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runtimes'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('isola: cannot find the package root (runtimes/ missing)');
    dir = parent;
  }
}

/**
 * The worker entry as compiled JavaScript. When the engine itself runs from TypeScript sources (tests,
 * tsx), workers still load the build in dist/, which `npm run build` produces.
 */
export function workerEntryUrl(): URL {
  const here = new URL('./workers/worker-main.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = join(packageRoot(), 'dist', 'src', 'engine', 'workers', 'worker-main.js');
  if (!existsSync(built)) throw new Error(`isola: ${built} is missing; run \`npm run build\` first`);
  return pathToFileURL(built);
}

/** The store directory: the option, else ISOLA_STORE_DIR, else `snapshots/` in the package. */
export function storeDirOf(option?: string): string {
  return resolve(option ?? process.env['ISOLA_STORE_DIR'] ?? join(packageRoot(), 'snapshots'));
}
