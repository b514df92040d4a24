/**
 * JavaScript/TypeScript environments: npm install into a build dir, then either an esbuild bundle for
 * the QuickJS lane ({ bundlePath }) or, for runtime "native", the installed tree ({ nodeModules }).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { completeBuild, failure, type BuildContext, type BuildOutcome, type BuildRequest } from './build-context.js';
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
    handedOver = true;
    if (req.runtime === 'native') {
      return await completeBuild(
        ctx,
        buildDir,
        req,
        { lane: 'native', packages: resolved, toolchain: { layout: 'node_modules' }, reason: 'runtime "native" was requested' },
        async () => ({ spec: { nodeModules: 'node_modules', packages: names } }),
      );
    }
    return await completeBuild(
      ctx,
      buildDir,
      req,
      { lane: 'quickjs', packages: resolved, toolchain: { bundler: BUNDLER_ID, guestBuiltins: GUEST_BUILTINS.join(',') } },
      async () => {
        if (names.length === 0) {
          await writeFile(join(buildDir, BUNDLE_FILE), 'globalThis.__isolaPackages = globalThis.__isolaPackages || {};\n');
        } else {
          const bundled = await bundlePackages(buildDir, names);
          if (!bundled.ok) {
            return failure(bundled.kind === 'builtin' ? 'package_unavailable' : 'package_install', bundled.message);
          }
          ctx.log('debug', 'bundle written', { bytes: bundled.bytes });
        }
        return { spec: { bundlePath: BUNDLE_FILE, packages: names } };
      },
    );
  } finally {
    // completeBuild owns the dir once handed over; before that (install failed) it is ours to drop.
    if (!handedOver) await ctx.store.discard(buildDir);
  }
}
