import { createEngine } from '../dist/src/index.js';
const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
const req = { language: 'javascript', code: "const _ = require('lodash'); function main() { return _.chunk([1,2,3,4], 2) }", packages: ['lodash'] };
const first = await engine.execute(req);
console.log('first', first.status, JSON.stringify(first.output), first.elapsed_ms, first.environment?.cache);
const t = [];
for (let i = 0; i < 30; i++) { const s = performance.now(); const r = await engine.execute(req); t.push(performance.now() - s); if (JSON.stringify(r.output) !== '[[1,2],[3,4]]') throw new Error(JSON.stringify(r)); }
t.sort((a, b) => a - b);
console.log('lodash warm p50', t[15].toFixed(2), 'ms p90', t[27].toFixed(2));
await engine.close();
