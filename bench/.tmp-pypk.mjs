import { createEngine } from '../dist/src/index.js';
const log = (level) => (obj, msg) => { const text = JSON.stringify(obj) + ' ' + msg; if (/precompil|wheels/i.test(text) || level === 'warn') console.error(level, text.slice(0, 2500)); };
const engine = await createEngine({ workers: { quickjs: 0, cpython: 2, native: 0 }, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } });
const req = { language: 'python', packages: ['six==1.16.0', 'idna==3.7', 'attrs==23.2.0'], code: 'import six, idna, attr\n\ndef main(name: str) -> dict:\n    return {"greeting": " ".join(["hello", name])}\n', inputs: { name: 'world' } };
await engine.execute({ language: 'python', code: 'def main():\n  return 1' });
const out = [];
for (let i = 0; i < 14; i++) { const s = performance.now(); const r = await engine.execute(req); out.push(`${(performance.now() - s).toFixed(1)}(${r.environment?.cache},run ${r.timings?.run_ms?.toFixed(1)},setup ${r.timings?.setup_ms?.toFixed(1)})`); if (r.status !== 'completed' || r.error) throw new Error(JSON.stringify(r)); }
console.log(out.join(' '));
await engine.close();
