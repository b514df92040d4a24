import { createEngine } from '../dist/src/index.js';
import { readFileSync } from 'node:fs';
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
const engine = await createEngine({ workers: { quickjs: 0, cpython: Number(process.argv[2] ?? 1), native: 0 } });
if (process.argv[3] !== "noexec") await engine.execute({ language: "python", code: "def main():\n  return 1" }); await sleep(2000);
const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
let cur = null; const rows = [];
for (const l of smaps) {
  if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) { cur = { head: l, rss: 0, size: 0 }; rows.push(cur); }
  else if (l.startsWith('Rss:')) cur.rss = Number(l.split(/\s+/)[1]);
  else if (l.startsWith('Size:')) cur.size = Number(l.split(/\s+/)[1]);
}
rows.sort((a, b) => b.rss - a.rss);
for (const r of rows.slice(0, 25)) console.log((r.rss/1024).toFixed(1).padStart(7), 'MB of', (r.size/1024).toFixed(0).padStart(7), r.head.split(/\s+/).slice(1,2).join(' '), r.head.split(/\s+/).slice(5).join(' '));
console.log('total', rows.reduce((s, r) => s + r.rss, 0) / 1024);
await engine.close({ graceMs: 0 });
