import { readFileSync } from 'node:fs';
const b = readFileSync(process.argv[2]);
let p = 8;
const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
while (p < b.length) {
  const id = b[p++]; const size = leb(); const start = p;
  let name = '';
  if (id === 0) { const n = leb(); name = b.subarray(p, p + n).toString(); }
  console.log(id, name, (size / 1e6).toFixed(2), 'MB');
  p = start + size;
}
