import { crc32 } from 'node:zlib';
const b = new Uint8Array(24_600_000); for (let i = 0; i < b.length; i += 7) b[i] = i & 255;
for (let k = 0; k < 3; k++) {
let t = performance.now(); await crypto.subtle.digest('SHA-256', b); const s = performance.now() - t;
t = performance.now(); crc32(b); const c = performance.now() - t;
console.log('sha256', s.toFixed(1), 'crc32', c.toFixed(1));
}
