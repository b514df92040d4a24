// node:path, POSIX flavour only: the guest file system is POSIX-like and rooted at '/'.
(function (internal) {
  'use strict';
  function check(value, name) {
    if (typeof value !== 'string') {
      const error = new TypeError('The "' + name + '" argument must be of type string. Received ' + (value === null ? 'null' : typeof value));
      error.code = 'ERR_INVALID_ARG_TYPE';
      throw error;
    }
  }
  // Resolve '.' and '..' segments; `absolute` decides whether leading '..' survive.
  function normalizeSegments(path, absolute) {
    const out = [];
    for (const segment of path.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
        else if (!absolute) out.push('..');
      } else out.push(segment);
    }
    return out.join('/');
  }
  function normalize(path) {
    check(path, 'path');
    if (path === '') return '.';
    const absolute = path.startsWith('/');
    const trailing = path.endsWith('/');
    let result = normalizeSegments(path, absolute);
    if (result === '' && !absolute) result = '.';
    if (result !== '' && trailing) result += '/';
    return (absolute ? '/' : '') + result;
  }
  function join(...parts) {
    for (const part of parts) check(part, 'path');
    const joined = parts.filter((p) => p !== '').join('/');
    return joined === '' ? '.' : normalize(joined);
  }
  function resolve(...parts) {
    let resolved = '';
    for (let i = parts.length - 1; i >= -1 && !resolved.startsWith('/'); i--) {
      const part = i >= 0 ? parts[i] : internal.cwd;
      check(part, 'paths[' + i + ']');
      if (part !== '') resolved = resolved === '' ? part : part + '/' + resolved;
    }
    return '/' + normalizeSegments(resolved, true);
  }
  function isAbsolute(path) {
    check(path, 'path');
    return path.startsWith('/');
  }
  function trimTrailing(path) {
    let end = path.length;
    while (end > 1 && path[end - 1] === '/') end--;
    return path.slice(0, end);
  }
  function dirname(path) {
    check(path, 'path');
    if (path === '') return '.';
    const trimmed = trimTrailing(path);
    const slash = trimmed.lastIndexOf('/');
    if (slash < 0) return '.';
    if (slash === 0) return '/';
    return trimTrailing(trimmed.slice(0, slash));
  }
  function basename(path, suffix) {
    check(path, 'path');
    const trimmed = trimTrailing(path);
    let base = trimmed === '/' ? '' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
    if (suffix !== undefined && base !== suffix && base.endsWith(suffix)) base = base.slice(0, base.length - suffix.length);
    return base;
  }
  function extname(path) {
    const base = basename(path);
    const dot = base.lastIndexOf('.');
    // A leading dot names a hidden file, not an extension ('.bashrc' has none).
    return dot <= 0 ? '' : base.slice(dot);
  }
  function relative(from, to) {
    const a = resolve(from).split('/').filter(Boolean);
    const b = resolve(to).split('/').filter(Boolean);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    return [...a.slice(common).map(() => '..'), ...b.slice(common)].join('/');
  }
  function parse(path) {
    check(path, 'path');
    const root = path.startsWith('/') ? '/' : '';
    const base = basename(path);
    const ext = extname(path);
    let dir = dirname(path);
    if (dir === '.' && !path.startsWith('.')) dir = '';
    return { root, dir, base, ext, name: ext ? base.slice(0, base.length - ext.length) : base };
  }
  function format(parts) {
    const dir = parts.dir || parts.root || '';
    const base = parts.base || (parts.name || '') + (parts.ext ? (parts.ext.startsWith('.') ? '' : '.') + parts.ext : '');
    if (!dir) return base;
    return dir === parts.root ? dir + base : dir + '/' + base;
  }
  const toNamespacedPath = (path) => path;
  const exports = { sep: '/', delimiter: ':', normalize, join, resolve, isAbsolute, dirname, basename, extname, relative, parse, format, toNamespacedPath };
  exports.posix = exports;
  return exports;
});
