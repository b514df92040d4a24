import { readFileSync, readdirSync } from 'node:fs';
const dir='/tmp/prof'; const f=readdirSync(dir).filter(x=>x.endsWith('.cpuprofile')).sort().at(-1);
const p=JSON.parse(readFileSync(dir+'/'+f));
const self=new Map(); const byId=new Map(p.nodes.map(n=>[n.id,n]));
const dt=p.timeDeltas; const counts=new Map();
for (let i=0;i<p.samples.length;i++){ counts.set(p.samples[i],(counts.get(p.samples[i])||0)+(dt[i]||0)); }
for (const [id,t] of counts){ const n=byId.get(id); const k=n.callFrame.functionName+' '+n.callFrame.url.split('/').slice(-2).join('/')+':'+n.callFrame.lineNumber; self.set(k,(self.get(k)||0)+t); }
console.log([...self].sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,t])=>(t/1000).toFixed(1)+'ms '+k).join('\n'));
console.log('total', (p.endTime-p.startTime)/1000);
