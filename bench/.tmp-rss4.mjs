import { createEngine } from '../dist/src/index.js';
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
const mu = () => Object.entries(process.memoryUsage()).map(([k,v]) => `${k}=${(v/1048576).toFixed(1)}`).join(' ');
const engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
await sleep(3000); console.log('ready', mu());
await engine.execute({ language: "python", code: "def main():\n  return 1" }); await sleep(1000); console.log('exec1', mu());
await engine.execute({ language: "python", code: "def main():\n  return 1" }); await sleep(1000); console.log('exec2', mu());
await engine.close({ graceMs: 0 });
