/**
 * JavaScript/TypeScript environments: npm install into a build dir, then an esbuild bundle for the
 * QuickJS lane ({ bundlePath }). When the packages cannot run in QuickJS (a Node built-in the guest lacks,
 * a .node addon) or runtime is "native", the installed tree goes to the native lane ({ nodeModules }),
 * unless runtime is "wasm": then it is package_unavailable, naming the package and the built-in. A shell
 * prebuild, which only the native lane runs, sends the environment there too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { completeBuild, failure, SHELL_PREBUILD_REASON, type BuildContext, type BuildOutcome, type BuildRequest } from './build-context.js';
import { BUNDLE_FILE, BUNDLER_ID, bundlePackages, GUEST_BUILTINS } from './js-bundle.js';
import { npmInstall } from './npm-install.js';
import type { ResolvedPackage } from './types.js';

export async function buildJsEnvironment(ctx: BuildContext, req: BuildRequest): Promise<BuildOutcome> {
  const buildDir = await ctx.store.newBuildDir();
  let handedOver = false;
  try {
    let resolved: ResolvedPackage[] = [];
    if (req.specs.length > 0) {
      const installed = await npmInstall(buildDir, req.specs, {
        npm: ctx.npm,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        ...(ctx.npmRegistry ? { registry: ctx.npmRegistry } : {}),
      });
      if (!installed.ok) {
        ctx.log('warn', 'npm install failed', { specs: req.specs.map((s) => s.raw), message: installed.message, detail: installed.detail });
        return failure('package_install', installed.message);
      }
      resolved = installed.packages;
      ctx.log('debug', 'npm install done', { packages: installed.packages.length, ms: Math.round(installed.elapsedMs) });
    }
    const names = req.specs.map((s) => s.name);
    const native = (reason: string): Promise<BuildOutcome> => {
      handedOver = true;
      return completeBuild(ctx, buildDir, req, { lane: 'native', packages: resolved, toolchain: { layout: 'node_modules' }, reason }, async () => {
        // No packages (a prebuild alone): the lane binds node_modules and the store checks it exists.
        await mkdir(join(buildDir, 'node_modules'), { recursive: true });
        return { spec: { nodeModules: 'node_modules', packages: names } };
      });
    };
    if (req.runtime === 'native') return await native('runtime "native" was requested');
    if (req.prebuildLanguage === 'bash') {
      if (req.runtime === 'wasm') return failure('package_unavailable', `${SHELL_PREBUILD_REASON}, which runtime "wasm" excludes`);
      return await native(SHELL_PREBUILD_REASON);
    }

    // Bundled before hashing: whether the packages can run in QuickJS decides the lane, which the hash covers.
    if (names.length === 0) {
      await writeFile(join(buildDir, BUNDLE_FILE), 'globalThis.__isolaPackages = globalThis.__isolaPackages || {};\n');
    } else {
      const bundled = await bundlePackages(buildDir, names);
      if (!bundled.ok && bundled.kind === 'builtin') {
        if (req.runtime === 'wasm') return failure('package_unavailable', `${bundled.message}; use runtime "auto" or "native" to run it in the native lane`);
        return await native(bundled.message);
      }
      if (!bundled.ok) return failure('package_install', bundled.message);
      ctx.log('debug', 'bundle written', { bytes: bundled.bytes });
    }
    handedOver = true;
    return await completeBuild(
      ctx,
      buildDir,
      req,
      { lane: 'quickjs', packages: resolved, toolchain: { bundler: BUNDLER_ID, guestBuiltins: GUEST_BUILTINS.join(',') } },
      async () => ({ spec: { bundlePath: BUNDLE_FILE, packages: names } }),
    );
  } finally {
    // completeBuild owns the dir once handed over; before that (install failed) it is ours to drop.
    if (!handedOver) await ctx.store.discard(buildDir);
  }
}
