import { createEngine } from '../dist/src/index.js';
import { readFileSync } from 'node:fs';
const rss = () => (Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])/1024).toFixed(0);
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
console.log('start', rss());
const engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
console.log('engine', rss());
await sleep(3000); console.log('engine+3s', rss());
for (let i = 0; i < 3; i++) { await engine.execute({ language: 'python', code: 'def main():\n  return 1' }); await sleep(1000); console.log('exec', i, rss()); }
await engine.close({ graceMs: 0 });
