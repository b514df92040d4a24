// node:fs over the execution's private in-memory file system (internal.files: path -> string|Uint8Array,
// internal.dirs: set of directory paths). Errors carry Node's codes and messages so `err.code === 'ENOENT'`
// checks and logged messages behave as they would on a real disk.
(function (internal) {
  'use strict';
  const path = internal.lib('path');
  const { Buffer } = internal.lib('buffer');
  const text = internal.lib('text');
  // The file system exists from the first use of fs (bootstrap may have created it already): it starts
  // with ./inputs.json, and readOutputFile() looks for ./output.json in it afterwards.
  if (!internal.files) internal.files = new Map([[internal.cwd + '/inputs.json', internal.inputsJson]]);
  if (!internal.dirs) internal.dirs = new Set(['/', '/tmp', internal.cwd]);
  const files = internal.files;
  const dirs = internal.dirs;
  const loadedAt = Date.now();
  const mtimes = new Map();
  const ERRNO = { ENOENT: -2, EBADF: -9, EEXIST: -17, ENOTDIR: -20, EISDIR: -21, EINVAL: -22, ENOTEMPTY: -39 };
  const DESCRIPTION = {
    ENOENT: 'no such file or directory',
    EBADF: 'bad file descriptor',
    EEXIST: 'file already exists',
    ENOTDIR: 'not a directory',
    EISDIR: 'illegal operation on a directory',
    EINVAL: 'invalid argument',
    ENOTEMPTY: 'directory not empty',
  };

  function fsError(code, syscall, target, dest) {
    let message = code + ': ' + DESCRIPTION[code] + ', ' + syscall;
    if (target !== undefined) message += " '" + target + "'";
    if (dest !== undefined) message += " -> '" + dest + "'";
    const error = new Error(message);
    error.errno = ERRNO[code];
    error.code = code;
    error.syscall = syscall;
    if (target !== undefined) error.path = target;
    if (dest !== undefined) error.dest = dest;
    return error;
  }

  function typeError(name, value, expected) {
    const received = value === null ? 'null' : typeof value === 'object' ? 'an instance of ' + ((value.constructor?.name) || 'Object') : 'type ' + typeof value + ' (' + String(value) + ')';
    const error = new TypeError('The "' + name + '" argument must be ' + expected + '. Received ' + received);
    error.code = 'ERR_INVALID_ARG_TYPE';
    return error;
  }

  /** The user's spelling (for messages) and the absolute path (for lookups). */
  function pathArg(value, name = 'path') {
    let shown = value;
    if (value instanceof Uint8Array) shown = text.decode(value);
    else if (value && typeof value === 'object' && typeof value.href === 'string' && value.protocol === 'file:') shown = internal.lib('url').fileURLToPath(value);
    if (typeof shown !== 'string') throw typeError(name, value, 'of type string or an instance of Buffer or URL');
    return [shown, path.resolve(shown)];
  }

  function options(value, defaults) {
    if (value === undefined || value === null) return defaults;
    if (typeof value === 'string') return Object.assign({}, defaults, { encoding: value });
    if (typeof value === 'function') return defaults;
    return Object.assign({}, defaults, value);
  }

  const isStdin = (value) => value === 0 || value === '/dev/stdin';

  function readFileSync(file, opts) {
    const { encoding } = options(opts, { encoding: null });
    let content;
    if (isStdin(file)) content = internal.stdinText;
    else {
      if (typeof file === 'number') return readFd(file, encoding);
      const [shown, abs] = pathArg(file);
      if (dirs.has(abs)) throw fsError('EISDIR', 'read');
      content = files.get(abs);
      if (content === undefined) {
        checkParentIsDir(abs, 'open', shown);
        throw fsError('ENOENT', 'open', shown);
      }
    }
    if (encoding === null || encoding === 'buffer') return typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    if (typeof content === 'string' && /^utf-?8$/i.test(encoding)) return content;
    return Buffer.from(content).toString(encoding);
  }

  function checkParentIsDir(abs, syscall, shown) {
    for (let dir = path.dirname(abs); dir !== '/'; dir = path.dirname(dir)) {
      if (files.has(dir)) throw fsError('ENOTDIR', syscall, shown);
    }
  }

  function toStored(data, encoding) {
    if (typeof data === 'string') return encoding && !/^utf-?8$/i.test(encoding) ? Buffer.from(data, encoding).slice() : data;
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    throw typeError('data', data, 'of type string or an instance of Buffer, TypedArray, or DataView');
  }

  function writeFileSync(file, data, opts) {
    const { encoding, flag } = options(opts, { encoding: 'utf8', flag: 'w' });
    if (file === 1 || file === 2 || file === '/dev/stdout' || file === '/dev/stderr') {
      const fd = file === 2 || file === '/dev/stderr' ? 2 : 1;
      internal.write(fd, typeof data === 'string' ? data : text.decode(toStored(data)));
      return;
    }
    if (typeof file === 'number') return writeFd(file, data, encoding);
    const [shown, abs] = pathArg(file);
    let stored = toStored(data, encoding);
    if (dirs.has(abs)) throw fsError('EISDIR', 'open', shown);
    const parent = path.dirname(abs);
    if (!dirs.has(parent)) {
      checkParentIsDir(abs, 'open', shown);
      throw fsError('ENOENT', 'open', shown);
    }
    if (String(flag).startsWith('a') && files.has(abs)) stored = concat(files.get(abs), stored);
    if (String(flag).includes('x') && files.has(abs)) throw fsError('EEXIST', 'open', shown);
    files.set(abs, stored);
    mtimes.set(abs, Date.now());
  }

  function concat(a, b) {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    const x = typeof a === 'string' ? text.encode(a) : a;
    const y = typeof b === 'string' ? text.encode(b) : b;
    const out = new Uint8Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  }

  function appendFileSync(file, data, opts) {
    writeFileSync(file, data, Object.assign({}, options(opts, { encoding: 'utf8' }), { flag: 'a' }));
  }

  function existsSync(file) {
    try {
      const abs = pathArg(file)[1];
      return files.has(abs) || dirs.has(abs);
    } catch {
      return false;
    }
  }

  function kind(abs) {
    return dirs.has(abs) ? 'dir' : files.has(abs) ? 'file' : undefined;
  }

  class Dirent {
    #isDir;
    constructor(name, parentPath, isDir) {
      this.name = name;
      this.parentPath = parentPath;
      this.path = parentPath;
      this.#isDir = isDir;
    }
    isFile() {
      return !this.#isDir;
    }
    isDirectory() {
      return this.#isDir;
    }
    isSymbolicLink() {
      return false;
    }
  }

  function readdirSync(dir, opts) {
    const { withFileTypes, recursive } = options(opts, {});
    const [shown, abs] = pathArg(dir);
    const type = kind(abs);
    if (type === undefined) throw fsError('ENOENT', 'scandir', shown);
    if (type === 'file') throw fsError('ENOTDIR', 'scandir', shown);
    const entries = [];
    const prefix = abs === '/' ? '/' : abs + '/';
    const add = (p, isDir) => {
      if (!p.startsWith(prefix) || p === abs) return;
      const rest = p.slice(prefix.length);
      if (!recursive && rest.includes('/')) return;
      entries.push({ rest, isDir });
    };
    for (const p of files.keys()) add(p, false);
    for (const p of dirs) add(p, true);
    entries.sort((a, b) => (a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0));
    if (!withFileTypes) return entries.map((e) => e.rest);
    return entries.map((e) => {
      const full = prefix + e.rest;
      return new Dirent(path.basename(full), path.dirname(full), e.isDir);
    });
  }

  function mkdirSync(dir, opts) {
    const { recursive } = typeof opts === 'number' ? {} : options(opts, {});
    const [shown, abs] = pathArg(dir);
    if (files.has(abs)) throw fsError('EEXIST', 'mkdir', shown);
    if (dirs.has(abs)) {
      if (recursive) return undefined;
      throw fsError('EEXIST', 'mkdir', shown);
    }
    const parent = path.dirname(abs);
    if (!recursive) {
      if (files.has(parent)) throw fsError('ENOTDIR', 'mkdir', shown);
      if (!dirs.has(parent)) throw fsError('ENOENT', 'mkdir', shown);
      dirs.add(abs);
      mtimes.set(abs, Date.now());
      return undefined;
    }
    const missing = [];
    for (let d = abs; !dirs.has(d); d = path.dirname(d)) {
      if (files.has(d)) throw fsError('ENOTDIR', 'mkdir', shown);
      missing.unshift(d);
    }
    for (const d of missing) {
      dirs.add(d);
      mtimes.set(d, Date.now());
    }
    return missing[0];
  }

  function removeTree(abs) {
    const prefix = abs + '/';
    for (const p of [...files.keys()]) if (p.startsWith(prefix)) files.delete(p);
    for (const d of [...dirs]) if (d.startsWith(prefix)) dirs.delete(d);
    dirs.delete(abs);
  }

  function rmSync(target, opts) {
    const { recursive, force } = options(opts, {});
    const [shown, abs] = pathArg(target);
    const type = kind(abs);
    if (type === undefined) {
      if (force) return;
      throw fsError('ENOENT', 'lstat', shown);
    }
    if (type === 'file') return void files.delete(abs);
    if (!recursive) {
      const error = new Error('Path is a directory: rm returned EISDIR (is a directory) ' + shown);
      error.code = 'ERR_FS_EISDIR';
      error.errno = -ERRNO.EISDIR; // Node reports this one positive
      error.syscall = 'rm';
      error.path = shown;
      throw error;
    }
    removeTree(abs);
  }

  function rmdirSync(target, opts) {
    const { recursive } = options(opts, {});
    const [shown, abs] = pathArg(target);
    const type = kind(abs);
    if (type === undefined) throw fsError('ENOENT', 'rmdir', shown);
    if (type === 'file') throw fsError('ENOTDIR', 'rmdir', shown);
    if (!recursive && readdirSync(abs).length > 0) throw fsError('ENOTEMPTY', 'rmdir', shown);
    removeTree(abs);
  }

  function unlinkSync(target) {
    const [shown, abs] = pathArg(target);
    if (dirs.has(abs)) throw fsError('EISDIR', 'unlink', shown);
    if (!files.delete(abs)) throw fsError('ENOENT', 'unlink', shown);
  }

  class Stats {
    constructor(isDir, size, mtimeMs) {
      Object.assign(this, { dev: 1, mode: isDir ? 0o40755 : 0o100644, nlink: 1, uid: 10000, gid: 10000, rdev: 0, blksize: 4096, ino: 0, size, blocks: Math.ceil(size / 512) });
      this.atimeMs = this.mtimeMs = this.ctimeMs = this.birthtimeMs = mtimeMs;
      this.atime = new Date(mtimeMs);
      this.mtime = new Date(mtimeMs);
      this.ctime = new Date(mtimeMs);
      this.birthtime = new Date(mtimeMs);
    }
    isFile() {
      return (this.mode & 0o170000) === 0o100000;
    }
    isDirectory() {
      return (this.mode & 0o170000) === 0o40000;
    }
    isSymbolicLink() {
      return false;
    }
    isFIFO() {
      return false;
    }
    isSocket() {
      return false;
    }
    isBlockDevice() {
      return false;
    }
    isCharacterDevice() {
      return false;
    }
  }

  function statSync(target, opts) {
    const { throwIfNoEntry } = options(opts, { throwIfNoEntry: true });
    const [shown, abs] = pathArg(target);
    const type = kind(abs);
    if (type === undefined) {
      if (!throwIfNoEntry) return undefined;
      throw fsError('ENOENT', 'stat', shown);
    }
    const content = files.get(abs);
    const size = type === 'dir' ? 4096 : typeof content === 'string' ? text.encode(content).length : content.length;
    return new Stats(type === 'dir', size, mtimes.get(abs) || loadedAt);
  }

  function renameSync(from, to) {
    const [shownFrom, absFrom] = pathArg(from, 'oldPath');
    const [shownTo, absTo] = pathArg(to, 'newPath');
    const type = kind(absFrom);
    if (type === undefined || !dirs.has(path.dirname(absTo))) throw fsError('ENOENT', 'rename', shownFrom, shownTo);
    if (absFrom === absTo) return;
    if (type === 'file') {
      if (dirs.has(absTo)) throw fsError('EISDIR', 'rename', shownFrom, shownTo);
      files.set(absTo, files.get(absFrom));
      files.delete(absFrom);
      return;
    }
    if (files.has(absTo)) throw fsError('ENOTDIR', 'rename', shownFrom, shownTo);
    if (absTo.startsWith(absFrom + '/')) throw fsError('EINVAL', 'rename', shownFrom, shownTo);
    if (dirs.has(absTo) && readdirSync(absTo).length > 0) throw fsError('ENOTEMPTY', 'rename', shownFrom, shownTo);
    const move = (p) => absTo + p.slice(absFrom.length);
    for (const [p, content] of [...files]) if (p.startsWith(absFrom + '/')) files.delete(p), files.set(move(p), content);
    for (const d of [...dirs]) if (d === absFrom || d.startsWith(absFrom + '/')) dirs.delete(d), dirs.add(move(d));
  }

  function copyFileSync(from, to, mode) {
    const [shownFrom, absFrom] = pathArg(from, 'src');
    const [shownTo, absTo] = pathArg(to, 'dest');
    if (dirs.has(absFrom)) throw fsError('EISDIR', 'copyfile', shownFrom, shownTo);
    const content = files.get(absFrom);
    if (content === undefined || !dirs.has(path.dirname(absTo))) throw fsError('ENOENT', 'copyfile', shownFrom, shownTo);
    if (mode & 1 && files.has(absTo)) throw fsError('EEXIST', 'copyfile', shownFrom, shownTo);
    if (dirs.has(absTo)) throw fsError('EISDIR', 'copyfile', shownFrom, shownTo);
    files.set(absTo, typeof content === 'string' ? content : content.slice());
    mtimes.set(absTo, Date.now());
  }

  function accessSync(target) {
    const [shown, abs] = pathArg(target);
    if (kind(abs) === undefined) throw fsError('ENOENT', 'access', shown);
  }

  function realpathSync(target) {
    const [shown, abs] = pathArg(target);
    if (kind(abs) === undefined) throw fsError('ENOENT', 'lstat', shown);
    return abs;
  }

  function mkdtempSync(prefix) {
    const [shown] = pathArg(prefix, 'prefix');
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const hex = internal.randomBytesHex(6);
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += alphabet[parseInt(hex.substr(i * 2, 2), 16) % alphabet.length];
    const abs = path.resolve(shown + suffix);
    if (!dirs.has(path.dirname(abs))) {
      checkParentIsDir(abs, 'mkdtemp', shown + 'XXXXXX');
      throw fsError('ENOENT', 'mkdtemp', shown + 'XXXXXX');
    }
    mkdirSync(shown + suffix);
    return shown + suffix;
  }

  // Permissions and times are not modelled: these succeed on existing paths, as they would for the owner.
  function chmodSync(target) {
    const [shown, abs] = pathArg(target);
    if (kind(abs) === undefined) throw fsError('ENOENT', 'chmod', shown);
  }
  function utimesSync(target) {
    const [shown, abs] = pathArg(target);
    if (kind(abs) === undefined) throw fsError('ENOENT', 'utime', shown);
  }
  function truncateSync(target, length = 0) {
    const [shown, abs] = pathArg(target);
    if (dirs.has(abs)) throw fsError('EISDIR', 'open', shown);
    const content = files.get(abs);
    if (content === undefined) throw fsError('ENOENT', 'open', shown);
    const bytes = typeof content === 'string' ? text.encode(content) : content;
    const out = new Uint8Array(length);
    out.set(bytes.subarray(0, length));
    files.set(abs, out);
    mtimes.set(abs, Date.now());
  }

  // A small descriptor table so `fs.writeSync(1, ...)` and open/write/close scripts work.
  const fds = new Map();
  let nextFd = 3;
  function openSync(file, flags = 'r') {
    const [shown, abs] = pathArg(file);
    const flag = String(flags);
    if (flag.startsWith('r')) {
      readFileSync(file);
    } else if (flag.startsWith('w')) writeFileSync(file, '');
    else appendFileSync(file, '');
    const fd = nextFd++;
    fds.set(fd, { abs, shown, position: 0 });
    return fd;
  }
  function descriptor(fd, syscall) {
    const entry = fds.get(fd);
    if (!entry) throw fsError('EBADF', syscall);
    return entry;
  }
  function writeFd(fd, data, encoding) {
    const entry = descriptor(fd, 'write');
    files.set(entry.abs, concat(files.get(entry.abs) ?? '', toStored(data, encoding)));
    mtimes.set(entry.abs, Date.now());
  }
  function readFd(fd, encoding) {
    const entry = descriptor(fd, 'read');
    return readFileSync(entry.abs, encoding);
  }
  function writeSync(fd, data, ...rest) {
    if (fd === 1 || fd === 2) {
      const chunk = typeof data === 'string' ? data : text.decode(data);
      internal.write(fd, chunk);
      return chunk.length;
    }
    const encoding = typeof rest[rest.length - 1] === 'string' ? rest[rest.length - 1] : 'utf8';
    writeFd(fd, data, encoding);
    return typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength;
  }
  function closeSync(fd) {
    descriptor(fd, 'close');
    fds.delete(fd);
  }
  function fstatSync(fd) {
    return statSync(descriptor(fd, 'fstat').abs);
  }

  const sync = { readFileSync, writeFileSync, appendFileSync, existsSync, readdirSync, mkdirSync, rmSync, rmdirSync, unlinkSync, statSync, lstatSync: statSync, renameSync, copyFileSync, accessSync, realpathSync, openSync, writeSync, closeSync, fstatSync, mkdtempSync, chmodSync, utimesSync, truncateSync };

  // fs.promises and the callback API are the sync operations, settled on a later tick like real I/O.
  const promises = {};
  const fs = Object.assign({}, sync);
  for (const [name, fn] of Object.entries(sync)) {
    const base = name.slice(0, -4);
    if (name === 'existsSync') {
      fs.exists = (p, cb) => queueMicrotask(() => cb(existsSync(p)));
      continue;
    }
    if (!/^(open|write|close|fstat)$/.test(base)) promises[base] = (...args) => new Promise((resolve) => resolve(fn(...args)));
    fs[base] = (...args) => {
      const cb = args.pop();
      if (typeof cb !== 'function') throw typeError('cb', cb, 'of type function');
      let result;
      let error = null;
      try {
        result = fn(...args);
      } catch (caught) {
        error = caught;
      }
      setTimeout(() => (error ? cb(error) : cb(null, result)), 0);
    };
  }
  // fs.promises.open resolves with a FileHandle over the same descriptor table.
  class FileHandle {
    constructor(fd) {
      this.fd = fd;
    }
    async write(data, ...rest) {
      const bytesWritten = writeSync(this.fd, data, ...rest);
      return { bytesWritten, buffer: data };
    }
    async writeFile(data, options) {
      writeFd(this.fd, data, options?.encoding ? options.encoding : typeof options === 'string' ? options : 'utf8');
    }
    async appendFile(data, options) {
      return this.writeFile(data, options);
    }
    async readFile(options) {
      return readFd(this.fd, options && typeof options === 'object' ? options.encoding : options);
    }
    async stat() {
      return fstatSync(this.fd);
    }
    async close() {
      closeSync(this.fd);
    }
  }
  promises.open = async (file, flags) => new FileHandle(openSync(file, flags));
  fs.promises = promises;
  fs.realpathSync.native = realpathSync;
  fs.constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, COPYFILE_EXCL: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2 };
  Object.assign(fs, fs.constants);
  // Streams live in fs_streams.js: most scripts never use them, so they are parsed only on first call.
  fs.createWriteStream = (path, options) => internal.lib('fs_streams').createWriteStream(fs, path, options);
  fs.createReadStream = (path, options) => internal.lib('fs_streams').createReadStream(fs, path, options);
  fs.Stats = Stats;
  fs.Dirent = Dirent;
  return fs;
});
