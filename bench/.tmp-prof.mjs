import { readFileSync, readdirSync } from 'node:fs';
for (const f of readdirSync('/tmp/prof')) {
  const p = JSON.parse(readFileSync('/tmp/prof/' + f, 'utf8'));
  const self = new Map(); const byId = new Map(p.nodes.map(n => [n.id, n]));
  const dt = p.timeDeltas; let total = 0;
  p.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); total += dt[i] ?? 0; });
  console.log('==', f, (total/1000).toFixed(0), 'ms');
  console.log([...self].sort((a,b)=>b[1]-a[1]).slice(0,14).map(([k,v])=>`  ${(v/1000).toFixed(1)} ${k}`).join('\n'));
}
