// @cfworker/json-schema (the edge build's JSON Schema validator) matches `pattern` and
// `patternProperties` with `new RegExp(p, 'u')`: a request's pattern on V8's backtracking engine, where
// one like (a+)+$ takes exponential time. Both places where it builds one are made to build
// src/contract/re2-regexp.ts's RE2 instead, by the web build (esbuild) and by vitest (for the tests that
// run the edge validator in Node). If a cfworker release moves them, the count check fails the build.
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CFWORKER_VALIDATE = /@cfworker[\\/]json-schema[\\/]dist[\\/]esm[\\/]validate\.js$/;
const SHIM = fileURLToPath(new URL('../src/contract/re2-regexp.ts', import.meta.url));
const EXPECTED = 2;

/** cfworker's validate.js with its RegExp constructions on RE2; `file` is its path. */
export function withRe2(code, file) {
  const found = code.split('new RegExp(').length - 1;
  if (found !== EXPECTED) throw new Error(`re2-for-cfworker: expected ${EXPECTED} "new RegExp(" in ${file}, found ${found}; check where @cfworker/json-schema builds patterns now`);
  let shim = relative(dirname(file), SHIM).replaceAll('\\', '/');
  if (!shim.startsWith('.')) shim = `./${shim}`;
  return `import { Re2RegExp as IsolaRe2RegExp } from ${JSON.stringify(shim)};\n${code.replaceAll('new RegExp(', 'new IsolaRe2RegExp(')}`;
}

/** The esbuild plugin of the web build. */
export const re2ForCfworker = {
  name: 're2-for-cfworker',
  setup(b) {
    b.onLoad({ filter: CFWORKER_VALIDATE }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      return { contents: withRe2(await readFile(args.path, 'utf8'), args.path), loader: 'js' };
    });
  },
};

/** The edge build's validator where the Node build's is (src/contract/schema-validator.ts). */
export const edgeSchemaValidator = {
  name: 'edge-schema-validator',
  setup(b) {
    b.onResolve({ filter: /^\.\/schema-validator\.js$/ }, (args) => ({ path: `${dirname(args.importer)}/schema-validator-edge.ts` }));
  },
};
