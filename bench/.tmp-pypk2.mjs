import { createEngine } from '../dist/src/index.js';
const engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
const pk = ['six==1.16.0', 'idna==3.7', 'attrs==23.2.0'];
const code = 'import time, sys\nt=time.perf_counter()\nimport six\nt1=time.perf_counter()\nimport idna\nt2=time.perf_counter()\nimport attr\nt3=time.perf_counter()\nprint(round((t1-t)*1000,1), round((t2-t1)*1000,1), round((t3-t2)*1000,1), [m for m in sys.modules if m.startswith("attr")][:3], attr.__file__)';
for (let i = 0; i < 6; i++) { await new Promise(r => setTimeout(r, 300)); const r = await engine.execute({ language: 'python', packages: pk, code }); const h = await engine.execute({ language: 'python', code: 'def main():\n  return 1' }); console.log(r.stdout.trim(), r.stderr.slice(-300), 'run', r.timings.run_ms.toFixed(1), 'hello run', h.timings.run_ms.toFixed(1)); }
await engine.close();
