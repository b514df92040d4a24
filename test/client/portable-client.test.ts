// `isola/client` must load in a browser: what it imports at run time (type-only imports are erased)
// reaches nothing from node:, no zod, and no server, engine or lane module.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('src/client/index.ts');
/** Runtime imports and re-exports: `import type` / `export type` are skipped; `import { type X, Y }` counts. */
const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const ALLOWED_OUTSIDE_CLIENT = new Set(['src/contract/errors.ts', 'src/contract/limits.ts', 'src/contract/operator-limits.ts']);

function runtimeGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RUNTIME_IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) stack.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files: [...files].map((file) => relative(process.cwd(), file)), packages: [...packages] };
}

describe('isola/client is portable', () => {
  const graph = runtimeGraph(ROOT);

  it('imports no package at run time, node: built-ins included', () => {
    expect(graph.packages).toEqual([]);
  });

  it('reaches outside src/client only for the portable error catalog and limits', () => {
    const outside = graph.files.filter((file) => !file.startsWith('src/client/'));
    expect(outside.filter((file) => !ALLOWED_OUTSIDE_CLIENT.has(file))).toEqual([]);
    expect(graph.files).toContain('src/client/client.ts');
  });
});
