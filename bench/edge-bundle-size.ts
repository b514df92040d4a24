/**
 * How big `isola/edge` is, and what makes it so: the shipped files raw and gzipped (level 9), and the
 * bundle's bytes by package from esbuild's metafile (written by `npm run build`).
 *
 *   npm run build && node dist/bench/edge-bundle-size.js
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../src/engine/package-root.js';

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

const root = packageRoot();
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

for (const file of ['isola-edge.js', 'quickjs-worker.js', 'cpython-worker.js', 'python-runtime-files.json']) {
  const path = join(root, 'dist/edge', file);
  const bytes = readFileSync(path);
  console.log(`${file.padEnd(28)} raw ${kb(statSync(path).size).padStart(10)}  gzip ${kb(gzipSync(bytes, { level: 9 }).length).padStart(9)}`);
}

const meta = JSON.parse(readFileSync(join(root, 'dist/edge-metafile.json'), 'utf8')) as Metafile;
const bundle = Object.values(meta.outputs).find((output) => output.entryPoint?.endsWith('src/edge/index.ts'));
if (!bundle) throw new Error('edge-bundle-size: the metafile has no isola-edge.js output; run npm run build');
const bySource = new Map<string, number>();
for (const [input, { bytesInOutput }] of Object.entries(bundle.inputs)) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
  const source = pkg ?? (input.startsWith('isola:') ? 'guest runtime files (inlined)' : input.split('/').slice(0, 2).join('/'));
  bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
}
console.log('\nisola-edge.js by source (minified bytes):');
for (const [source, bytes] of [...bySource].sort((a, b) => b[1] - a[1])) console.log(`  ${kb(bytes).padStart(10)}  ${source}`);
