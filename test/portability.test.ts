import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core must run outside Node (edge workers, a browser worker): the contract, planning, routing, the
// scheduler, the envelope and each lane's driver import nothing from node:, directly or through the
// files they import. Only the lanes' worker-entry.ts files and src/engine's Node edge may.
const ROOTS = [
  'src/contract/index.ts',
  'src/engine/plan.ts',
  'src/engine/route.ts',
  'src/engine/scheduler.ts',
  'src/engine/envelope.ts',
  'src/engine/types.ts',
  'src/lanes/lane.ts',
  'src/lanes/quickjs/driver.ts',
  'src/lanes/cpython/driver.ts',
  'src/lanes/wasi/driver.ts',
  'src/lanes/registry.ts',
  'src/egress/allow-list.ts',
  'src/egress/target.ts',
  'src/client/index.ts',
  // isola/edge: the browser engine and its Web Worker (scripts/build-web.mjs also refuses node: imports).
  'src/edge/index.ts',
  'src/edge/quickjs-web-worker.ts',
];
const NODE_BUILTINS = new Set(builtinModules);
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(entry: string): { file: string; specifier: string }[] {
  const offending: { file: string; specifier: string }[] = [];
  const seen = new Set<string>();
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!)) offending.push({ file, specifier });
      else if (specifier.startsWith('.')) stack.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  }
  return offending;
}

describe('portable core', () => {
  it.each(ROOTS.filter((root) => existsSync(root)))('%s imports nothing from node:, transitively', (root) => {
    expect(walk(root)).toEqual([]);
  });
});
