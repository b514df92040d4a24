/**
 * Bundles installed npm packages for the QuickJS lane: one IIFE script (no module syntax) that sets
 * globalThis.__isolaPackages[name] to a lazy loader per requested package. A loader returns CJS
 * `module.exports`, or for an ESM package its namespace (with `default`), as esbuild's require-of-ESM
 * gives it. Packages are bundled for the browser (their "browser" fields map Node-only files away).
 *
 * Node built-ins the QuickJS guest implements itself (runtimes/quickjs/core/modules.js: a sandboxed fs
 * over the VFS, path, events, crypto...) stay external: the bundle calls the guest's global `require`
 * for them when the package runs. Any other built-in (net, child_process, stream...) imported outside a
 * try/catch makes the package package_unavailable, naming it and the built-in.
 */
import { stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

import { build, version as esbuildVersion, type Message } from 'esbuild';

export const BUNDLER_ID = `esbuild@${esbuildVersion}`;
export const BUNDLE_FILE = 'bundle.js';

const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** Built-ins the QuickJS guest's `require` provides (kept in step with runtimes/quickjs/core/modules.js by a test). */
export const GUEST_BUILTINS = [
  'fs', 'fs/promises', 'path', 'path/posix', 'buffer', 'util', 'url', 'events', 'crypto', 'timers',
  'timers/promises', 'process', 'string_decoder', 'assert', 'assert/strict', 'querystring',
] as const;
const EXTERNAL = GUEST_BUILTINS.flatMap((name) => [name, `node:${name}`]);

export type BundleResult =
  | { ok: true; bundlePath: string; bytes: number }
  /** `message` says why the package cannot run in QuickJS (no advice: the caller knows the runtime). */
  | { ok: false; kind: 'builtin' | 'bundle'; message: string };

function entrySource(names: string[]): string {
  const loaders = names.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`).join('\n');
  return `globalThis.__isolaPackages = Object.assign(globalThis.__isolaPackages || {}, {\n${loaders}\n});\n`;
}

/** The npm package a bundled file belongs to: the segment after its last node_modules/. */
function packageOfFile(file: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(file);
  return match?.[1];
}

interface BuiltinUse {
  builtin: string;
  importer: string | undefined;
  file: string | undefined;
}

function builtinUses(errors: Message[]): BuiltinUse[] {
  const uses: BuiltinUse[] = [];
  for (const error of errors) {
    const wanted = /Could not resolve "([^"]+)"/.exec(error.text)?.[1];
    if (wanted === undefined) continue;
    const bare = wanted.replace(/^node:/, '');
    if (!BUILTINS.has(bare) && !BUILTINS.has(bare.split('/')[0] ?? bare)) continue;
    const file = error.location?.file;
    uses.push({ builtin: bare, importer: file ? packageOfFile(file) : undefined, file });
  }
  return uses;
}

async function runBuild(dir: string, names: string[], outfile: string | undefined) {
  return build({
    stdin: { contents: entrySource(names), resolveDir: dir, sourcefile: 'isola-packages-entry.js', loader: 'js' },
    absWorkingDir: dir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    external: EXTERNAL,
    target: 'es2022',
    // Common Node-isms that are plain values in a sandbox; anything more is left to the lane's prelude.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
    ...(outfile ? { outfile, write: true } : { write: false }),
  });
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

/** Which requested package pulls in the built-in: bundle each one alone (only on the failure path). */
async function blame(dir: string, names: string[]): Promise<Map<string, BuiltinUse>> {
  const blamed = new Map<string, BuiltinUse>();
  for (const name of names) {
    try {
      await runBuild(dir, [name], undefined);
    } catch (error) {
      const use = isBuildFailure(error) ? builtinUses(error.errors)[0] : undefined;
      if (use) blamed.set(name, use);
    }
  }
  return blamed;
}

export async function bundlePackages(dir: string, names: string[]): Promise<BundleResult> {
  const bundlePath = join(dir, BUNDLE_FILE);
  try {
    await runBuild(dir, names, bundlePath);
    return { ok: true, bundlePath, bytes: (await stat(bundlePath)).size };
  } catch (error) {
    if (!isBuildFailure(error)) throw error;
    const uses = builtinUses(error.errors);
    const addon = error.errors.find((e) => e.text.includes('No loader is configured for ".node" files'));
    if (uses.length === 0 && addon) {
      const file = /files: (\S+)/.exec(addon.text)?.[1] ?? addon.location?.file;
      const owner = file ? packageOfFile(file) : undefined;
      return { ok: false, kind: 'builtin', message: `${owner ?? 'a package'} has a native addon (.node), which the QuickJS sandbox cannot load` };
    }
    if (uses.length === 0) {
      const first = error.errors[0];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
      return { ok: false, kind: 'bundle', message: `bundling failed: ${first?.text ?? 'unknown esbuild error'}${where}` };
    }
    const blamed = names.length === 1 && uses[0] ? new Map([[names[0] ?? '', uses[0]]]) : await blame(dir, names);
    const parts = [...blamed].map(([name, use]) => {
      const via = use.importer && use.importer !== name ? ` (required by its dependency ${use.importer})` : '';
      return `${name} needs the Node built-in "${use.builtin}"${via}`;
    });
    const text = parts.length > 0 ? parts.join('; ') : `a package needs the Node built-in "${uses[0]?.builtin}"`;
    return {
      ok: false,
      kind: 'builtin',
      message: `${text}, which the QuickJS sandbox does not provide`,
    };
  }
}
