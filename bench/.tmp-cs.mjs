import { readFileSync, readdirSync, createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--wasm-lazy-validation');
const dir = 'snapshots/snapshots';
const f = dir + '/' + readdirSync(dir).find(n => n.startsWith('cpython-guarded-'));
const mode = process.argv[2];
const t0 = performance.now();
let m;
if (mode === 'file') { const b = await readFile(f); const t1 = performance.now(); m = await WebAssembly.compile(b); console.log('read', (t1-t0).toFixed(0)); }
else { m = await WebAssembly.compileStreaming(new Response(Readable.toWeb(createReadStream(f, { highWaterMark: 1 << 20 })), { headers: { 'content-type': 'application/wasm' } })); }
console.log(mode, (performance.now() - t0).toFixed(0), 'ms', WebAssembly.Module.exports(m).length);
