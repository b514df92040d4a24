/**
 * ES module support for guest code that uses `import`: every specifier resolves through the guest's own
 * `require` (built-ins like fs and path, or bundled packages), re-exported as a module with a default
 * export and one named export per key. No file system is consulted: there is nothing else to import.
 */
import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten-core';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['default', 'await', 'yield', 'let', 'static', 'enum', 'implements', 'package', 'protected', 'interface', 'private', 'public']);

export function installModuleLoader(runtime: QuickJSRuntime, ctx: QuickJSContext): void {
  runtime.setModuleLoader((specifier) => {
    const quoted = JSON.stringify(specifier);
    // Resolve inside the guest: a missing module raises the guest's own MODULE_NOT_FOUND error.
    const probe = ctx.evalCode(
      `(() => { const m = require(${quoted}); return (m !== null && (typeof m === 'object' || typeof m === 'function')) ? Object.keys(m) : []; })()`,
      'isola:import.js',
      { type: 'global' },
    );
    if (probe.error) return { error: probe.error };
    const keys = (ctx.dump(probe.value) as unknown[]).filter(
      (key): key is string => typeof key === 'string' && IDENTIFIER.test(key) && !RESERVED.has(key),
    );
    probe.value.dispose();
    const named = keys.length > 0 ? `export const { ${keys.join(', ')} } = m;` : '';
    return `const m = require(${quoted});
export default (m && m.__esModule && 'default' in m) ? m.default : m;
${named}`;
  });
}
