import { registerHooks } from 'node:module';
const times = new Map();
registerHooks({
  load(url, context, nextLoad) { const t = performance.now(); const r = nextLoad(url, context); times.set(url, (times.get(url) ?? 0) + performance.now() - t); return r; },
});
const t0 = performance.now();
await import(process.argv[2] ?? '../dist/src/index.js');
console.log('total', (performance.now() - t0).toFixed(0), 'modules', times.size);
const pk = new Map();
for (const [u, t] of times) { const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u); const k = m ? m[1] : u.includes('/dist/') ? 'isola' : u.split('/').slice(0,1)[0]; pk.set(k, [(pk.get(k)?.[0] ?? 0) + 1, (pk.get(k)?.[1] ?? 0) + t]); }
console.log([...pk].sort((a,b)=>b[1][0]-a[1][0]).slice(0,25).map(([k,[n,t]])=>`${k}:${n}`).join(' '));
