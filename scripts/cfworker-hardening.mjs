// @cfworker/json-schema (the edge build's JSON Schema validator) has two ways for a request's schema to
// stall its host, mended here the way ajv's configuration mends them in the Node build:
// - it matches `pattern` and `patternProperties` with `new RegExp(p, 'u')`, V8's backtracking engine,
//   where one like (a+)+$ takes exponential time: both constructions build src/contract/re2-regexp.ts's
//   RE2 instead;
// - it checks `uniqueItems` by comparing every pair of items: the check is src/contract/unique-items.ts's
//   linear one instead, with cfworker's own error.
// Applied by the web build (esbuild) and by vitest (for the tests that run the edge validator in Node).
// If a cfworker release changes that code, the checks below fail the build rather than skip a mend.
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CFWORKER_VALIDATE = /@cfworker[\\/]json-schema[\\/]dist[\\/]esm[\\/]validate\.js$/;
const RE2_SHIM = fileURLToPath(new URL('../src/contract/re2-regexp.ts', import.meta.url));
const UNIQUE_ITEMS = fileURLToPath(new URL('../src/contract/unique-items.ts', import.meta.url));
const REGEXPS = 2;
/** The start of cfworker's pairwise loop, kept behind `if (false)` after the linear check. */
const PAIRWISE = 'if ($uniqueItems) {\n            for (let j = 0; j < length; j++) {';
const LINEAR = `if ($uniqueItems) {
            const duplicate = isolaFirstDuplicate(instance);
            if (duplicate) errors.push({ instanceLocation, keyword: 'uniqueItems', keywordLocation: \`\${schemaLocation}/uniqueItems\`, error: \`Duplicate items at indexes \${duplicate[0]} and \${duplicate[1]}.\` });
        }
        if (false) {
            for (let j = 0; j < length; j++) {`;

function importPath(file, target) {
  const path = relative(dirname(file), target).replaceAll('\\', '/');
  return JSON.stringify(path.startsWith('.') ? path : `./${path}`);
}

/** cfworker's validate.js with its patterns on RE2 and a linear uniqueItems; `file` is its path. */
export function hardenCfworker(code, file) {
  const found = code.split('new RegExp(').length - 1;
  if (found !== REGEXPS) throw new Error(`cfworker-hardening: expected ${REGEXPS} "new RegExp(" in ${file}, found ${found}; check where @cfworker/json-schema builds patterns now`);
  if (code.split(PAIRWISE).length !== 2) throw new Error(`cfworker-hardening: cfworker's uniqueItems loop is not where it was in ${file}; check how @cfworker/json-schema checks uniqueItems now`);
  const header = `import { Re2RegExp as IsolaRe2RegExp } from ${importPath(file, RE2_SHIM)};\nimport { firstDuplicate as isolaFirstDuplicate } from ${importPath(file, UNIQUE_ITEMS)};\n`;
  return header + code.replaceAll('new RegExp(', 'new IsolaRe2RegExp(').replace(PAIRWISE, LINEAR);
}

/** The esbuild plugin of the web build. */
export const hardenedCfworker = {
  name: 'cfworker-hardening',
  setup(b) {
    b.onLoad({ filter: CFWORKER_VALIDATE }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      return { contents: hardenCfworker(await readFile(args.path, 'utf8'), args.path), loader: 'js' };
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
