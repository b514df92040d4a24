#!/usr/bin/env node
// Thin shim: the CLI is TypeScript compiled to dist/ by `npm run build`.
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
