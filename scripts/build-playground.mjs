#!/usr/bin/env node
// Bundles the playground page (src/playground/web/main.ts, CodeMirror included) into one ES module and
// copies its stylesheet, into dist/playground/. Run by `npm run build`; the server reads the files once.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/playground`;
await mkdir(out, { recursive: true });
await build({
  entryPoints: [`${root}src/playground/web/main.ts`],
  outfile: `${out}/app.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(`${root}src/playground/app.css`, `${out}/app.css`);
