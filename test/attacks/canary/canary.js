// Equivalence canary for the native lane (JavaScript): the same observations as canary.py, from Node.
// After any job, a canary on the same driver must print exactly what it prints on a fresh driver.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const SKIP = new Set(['/proc', '/sys']);

function entry(file) {
  const info = fs.lstatSync(file);
  return [file, info.size, '0o' + info.mode.toString(8), info.uid, info.gid, info.isSymbolicLink() ? fs.readlinkSync(file) : null];
}

function walk(top) {
  let names;
  try {
    names = fs.readdirSync(top).sort();
  } catch (error) {
    return [[top, 'unreadable', error.code]];
  }
  const found = [];
  for (const name of names) {
    const file = path.join(top, name);
    if (SKIP.has(file)) {
      found.push([file, 'skipped']);
      continue;
    }
    try {
      found.push(entry(file));
      if (fs.lstatSync(file).isDirectory()) found.push(...walk(file));
    } catch (error) {
      found.push([file, 'error', error.code]);
    }
  }
  return found;
}

const digest = (value) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');
function listing(dir) {
  try {
    return fs.readdirSync(dir).sort();
  } catch (error) {
    return ['error', error.code];
  }
}

const byTop = {};
for (const item of walk('/')) (byTop['/' + item[0].split('/')[1]] ??= []).push(item);
const tree = {};
for (const top of Object.keys(byTop).sort()) tree[top] = [byTop[top].length, digest(byTop[top])];
const env = Object.fromEntries(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1)));
console.log(JSON.stringify({
  tree,
  env,
  cwd: [process.cwd(), listing('.')],
  tmp: listing('/tmp'),
  shm: listing('/dev/shm'),
  ids: [process.getuid(), process.geteuid(), process.getgid(), process.getegid(), process.getgroups().sort()],
  limits: fs.readFileSync('/proc/self/limits', 'utf8'),
}));
