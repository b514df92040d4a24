const t0 = Date.now() % 100000; console.error('T main start', t0, 'proc uptime', (process.uptime()*1000).toFixed(0));
const { createEngine } = await import('../dist/src/index.js');
console.error('T imported', Date.now() % 100000);
const engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
console.error('T engine', Date.now() % 100000);
const r = await engine.execute({ language: 'python', code: 'def main():\n    return {"hi": 1}' });
console.error('T executed', Date.now() % 100000, JSON.stringify(r.timings));
await engine.close({ graceMs: 0 });
