import { createEngine } from '../dist/src/index.js';
const engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 }, logger: { debug: (o, m) => { if (/environment image/.test(m)) console.error(m, JSON.stringify(o).slice(0, 1500)); }, info() {}, warn: (o, m) => console.error(m, JSON.stringify(o).slice(0, 500)), error: (o, m) => console.error(m, o) } });
const req = { language: 'python', packages: ['six==1.16.0', 'idna==3.7', 'attrs==23.2.0'], code: 'import six, idna, attr\n\ndef main(name: str) -> dict:\n    return {"greeting": " ".join(["hello", name]), "attr": attr.__version__}\n', inputs: { name: 'world' } };
const out = [];
for (let i = 0; i < 14; i++) { const s = performance.now(); const r = await engine.execute(req); out.push(`${(performance.now() - s).toFixed(1)}(run ${r.timings?.run_ms?.toFixed(1)})`); if (r.status !== 'completed' || r.error) throw new Error(JSON.stringify(r)); await new Promise(r => setTimeout(r, 50)); }
console.log(out.join(' '));
await engine.close();
