// fs over the sandbox's in-memory tree behaves like node:fs on a real disk (same results, error codes and
// messages), and path matches node:path's POSIX flavour.
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestValue, runGuest } from './lib-harness.js';

// One script, run against the guest's /work and against a real temp dir with node:fs.
const FS_SCRIPT = `const out = [];
  const t = (f) => { try { const v = f(); return v === undefined ? 'undefined' : v; } catch (e) { return [e.code, e.message, e.syscall, e.errno]; } };
  out.push(t(() => fs.readFileSync(R + '/missing.json')), t(() => fs.readFileSync(R)), t(() => fs.writeFileSync(R + '/nodir/x.txt', 'x')));
  fs.writeFileSync(R + '/out.json', JSON.stringify({ a: 1 }));
  out.push(t(() => fs.writeFileSync(R + '/out.json/x', 'x')), t(() => fs.mkdirSync(R)), t(() => fs.mkdirSync(R + '/a/b/c', { recursive: true })));
  out.push(t(() => fs.mkdirSync(R + '/q/r')), t(() => fs.mkdirSync(R + '/a', { recursive: true })));
  out.push(fs.readdirSync(R).sort(), fs.readdirSync(R + '/a', { recursive: true }).sort());
  fs.appendFileSync(R + '/log.txt', 'one\\n'); fs.appendFileSync(R + '/log.txt', Buffer.from('twö\\n'));
  out.push(fs.readFileSync(R + '/log.txt', 'utf8'), fs.readFileSync(R + '/log.txt').length, fs.statSync(R + '/log.txt').size, fs.statSync(R + '/a').isDirectory(),
    fs.statSync(R + '/log.txt').isFile(), fs.existsSync(R + '/nope'), t(() => fs.statSync(R + '/nope')), String(fs.statSync(R + '/nope', { throwIfNoEntry: false })));
  fs.renameSync(R + '/a', R + '/z'); out.push(fs.readdirSync(R + '/z/b'));
  out.push(t(() => fs.rmSync(R + '/z')), t(() => fs.unlinkSync(R + '/qq')), t(() => fs.rmdirSync(R + '/z')), t(() => fs.unlinkSync(R + '/z')));
  fs.rmSync(R + '/z', { recursive: true }); out.push(fs.existsSync(R + '/z'), t(() => fs.rmSync(R + '/z', { force: true })));
  fs.copyFileSync(R + '/out.json', R + '/copy.json');
  out.push(fs.readFileSync(R + '/copy.json', 'utf8'), t(() => fs.copyFileSync(R + '/none', R + '/c2')), t(() => fs.renameSync(R + '/none', R + '/c3')));
  out.push(t(() => fs.writeFileSync(R + '/x.json', { a: 1 })));
  out.push(fs.readdirSync(R, { withFileTypes: true }).map((d) => [d.name, d.isFile(), d.isDirectory()]).sort());
  out.push(fs.readFileSync(R + '/out.json', 'base64'), fs.readFileSync(R + '/out.json', { encoding: 'hex' }));
  fs.writeFileSync(R + '/bin', new Uint8Array([0, 255])); out.push([...fs.readFileSync(R + '/bin')]);
  fs.writeFileSync(R + '/enc.txt', '68690a', 'hex'); out.push(fs.readFileSync(R + '/enc.txt', 'utf8'));
  out.push(t(() => fs.writeFileSync(R + '/out.json', 'x', { flag: 'wx' })));
  out.push(await fs.promises.readFile(R + '/out.json', 'utf8'), await fs.promises.readFile(R + '/nope').catch((e) => e.code));
  await fs.promises.writeFile(R + '/p.txt', 'P'); await fs.promises.mkdir(R + '/pd/e', { recursive: true });
  out.push(await fs.promises.readdir(R + '/pd'), (await fs.promises.stat(R + '/p.txt')).size);
  out.push(await new Promise((r) => fs.readFile(R + '/out.json', 'utf8', (e, d) => r([e, d]))), await new Promise((r) => fs.readFile(R + '/nah', (e, d) => r([e.code, d]))));
  const fd = fs.openSync(R + '/fd.txt', 'w'); fs.writeSync(fd, 'ab'); fs.writeSync(fd, 'cd'); fs.closeSync(fd);
  out.push(fs.readFileSync(R + '/fd.txt', 'utf8'), t(() => fs.closeSync(fd)));
  out.push(t(() => fs.readdirSync(R + '/out.json')), t(() => fs.readdirSync(R + '/nonexist')), t(() => fs.accessSync(R + '/gone')));
  const fh = await fs.promises.open(R + '/fh.txt', 'w'); await fh.write('x'); await fh.writeFile('yz'); out.push((await fh.stat()).size); await fh.close();
  out.push(fs.readFileSync(R + '/fh.txt', 'utf8'), await fs.promises.open(R + '/none/x', 'r').catch((e) => e.code));
  const tmp = fs.mkdtempSync(R + '/tmp-'); out.push(tmp.length - R.length, fs.statSync(tmp).isDirectory(), t(() => fs.mkdtempSync(R + '/none/x-')));
  fs.truncateSync(R + '/fd.txt', 2); out.push(fs.readFileSync(R + '/fd.txt', 'utf8'), t(() => fs.chmodSync(R + '/fd.txt', 0o600)), t(() => fs.chmodSync(R + '/gone', 0o600)));
  return out;`;

const PATH_CALLS = [
  `join('/a/b', '../c')`, `join('a', '', 'b/')`, `join('')`, `join('..', 'x')`, `resolve('/x', 'y', '..', 'z')`, `normalize('a//b/./c/..')`,
  `normalize('/../x')`, `normalize('./')`, `dirname('/a/b/')`, `dirname('a')`, `dirname('/')`, `basename('/a/b.txt', '.txt')`, `basename('/a/b/')`,
  `extname('.bashrc')`, `extname('a.tar.gz')`, `extname('a.')`, `relative('/a/b/c', '/a/d')`, `relative('/a', '/a/b/c')`, `relative('/a', '/a')`,
  `isAbsolute('x/y')`, `parse('/home/u/f.txt')`, `parse('f')`, `parse('./a.b')`, `format({ dir: '/x', name: 'f', ext: '.js' })`, `format({ root: '/', base: 'b' })`,
  `sep + delimiter`,
];

describe('fs lib', () => {
  const root = mkdtempSync(join(tmpdir(), 'isola-fs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('matches node:fs on a real directory: results, codes and messages', async () => {
    const guest = await guestValue(`const fs = lib('fs'); const R = '/work';\n` + FS_SCRIPT);
    nodeFs.writeFileSync(join(root, 'inputs.json'), '{}');
    const run = new Function('fs', 'R', 'Buffer', 'return (async () => {' + FS_SCRIPT + '})()') as (...args: unknown[]) => Promise<unknown>;
    const host = await run(nodeFs, root, Buffer);
    expect(guest).toEqual(JSON.parse(JSON.stringify(host).split(root).join('/work')));
  });

  it('reads inputs from ./inputs.json, fd 0 and /dev/stdin, resolves relative paths and feeds output.json', async () => {
    const inputsJson = JSON.stringify({ text: 'héllo' });
    const result = await runGuest(`const fs = lib('fs');
      const fromFile = JSON.parse(fs.readFileSync('inputs.json', 'utf8'));
      fs.writeFileSync('output.json', JSON.stringify({ echo: fromFile.text }));
      let missing; try { fs.readFileSync('./data/x.csv'); } catch (e) { missing = e.message; }
      return [fs.readFileSync(0, 'utf8'), fs.readFileSync('/dev/stdin').toString(), fs.readFileSync('/work/inputs.json', 'utf8'), missing, internal.readOutputFile()];`, { inputsJson });
    expect(result.value).toEqual([inputsJson, inputsJson, inputsJson, "ENOENT: no such file or directory, open './data/x.csv'", '{"echo":"héllo"}']);
  });

  it('writes to stdout and stderr through fd 1/2 and /dev/stdout', async () => {
    const result = await runGuest(`const fs = lib('fs'); fs.writeSync(1, 'a'); fs.writeFileSync('/dev/stdout', 'b\\n'); fs.writeSync(2, Buffer.from('e'));`);
    expect([result.stdout, result.stderr]).toEqual(['ab\n', 'e']);
  });

  it('streams: createWriteStream/createReadStream, errors as events, pipe and async iteration', async () => {
    const result = await runGuest(`const fs = lib('fs'); const out = [];
      const ws = fs.createWriteStream('out.csv'); ws.write('a,b\\n'); ws.write(Buffer.from('1,2\\n')); ws.end('3,4\\n');
      await new Promise((r) => ws.on('finish', r)); out.push(fs.readFileSync('out.csv', 'utf8'), ws.bytesWritten);
      const bad = fs.createWriteStream('nodir/x'); out.push(await new Promise((r) => bad.on('error', (e) => r(e.code))));
      const rs = fs.createReadStream('out.csv', { encoding: 'utf8', highWaterMark: 4 }); const chunks = [];
      rs.on('data', (c) => chunks.push(c)); await new Promise((r) => rs.on('end', r)); out.push(chunks);
      const sizes = []; for await (const c of fs.createReadStream('out.csv')) sizes.push(c.length); out.push(sizes);
      out.push(await new Promise((r) => fs.createReadStream('nope').on('error', (e) => r(e.code))));
      const copy = fs.createWriteStream('copy.csv'); fs.createReadStream('out.csv').pipe(copy); await new Promise((r) => copy.on('finish', r));
      await new Promise((r) => fs.createReadStream('out.csv').on('end', r).pipe(process.stdout));
      fs.createReadStream('out.csv'); // never read: must not keep the run alive
      out.push(fs.readFileSync('copy.csv', 'utf8'));
      return out;`);
    expect(result.value).toEqual(['a,b\n1,2\n3,4\n', 12, 'ENOENT', ['a,b\n', '1,2\n', '3,4\n'], [12], 'ENOENT', 'a,b\n1,2\n3,4\n']);
    expect(result.stdout).toBe('a,b\n1,2\n3,4\n');
  });

  it('starts empty in every execution', async () => {
    await guestValue(`lib('fs').writeFileSync('leak.txt', 'x');`);
    expect(await guestValue(`return lib('fs').existsSync('leak.txt');`)).toBe(false);
  });
});

describe('path lib', () => {
  it('matches node:path/posix (resolving against /work)', async () => {
    const got = await guestValue(`const { join, resolve, normalize, dirname, basename, extname, relative, isAbsolute, parse, format, sep, delimiter } = lib('path');
      return [${PATH_CALLS.join(', ')}];`);
    const cwdPosix = { ...posix, resolve: (...parts: string[]) => posix.resolve('/work', ...parts) };
    const expected = PATH_CALLS.map((call) => new Function(...Object.keys(cwdPosix), 'return ' + call)(...Object.values(cwdPosix)) as unknown);
    expect(got).toEqual(expected);
  });
});
