// URLSearchParams (application/x-www-form-urlencoded lists). A URL links its params through the
// `update` hook so `url.searchParams.set()` rewrites url.search, as the WHATWG spec requires.
(function (internal) {
  'use strict';
  const { encode, decode } = internal.lib('url_encode');
  const toUSV = (value) => String(value).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

  function parse(query) {
    const list = [];
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      list.push([decode(name, true), decode(value, true)]);
    }
    return list;
  }

  const kList = Symbol('list');
  const kUpdate = Symbol('update');

  class URLSearchParams {
    constructor(init = '') {
      // Symbol-keyed and non-enumerable: invisible to Object.keys, JSON and inspect.
      Object.defineProperty(this, kList, { writable: true, value: [] });
      Object.defineProperty(this, kUpdate, { writable: true, value: null });
      if (init instanceof URLSearchParams) this[kList] = init[kList].map(([k, v]) => [k, v]);
      else if (typeof init === 'object' && init !== null && typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const entry = Array.from(pair);
          if (entry.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
          this[kList].push([toUSV(entry[0]), toUSV(entry[1])]);
        }
      } else if (typeof init === 'object' && init !== null) {
        for (const key of Object.keys(init)) this[kList].push([toUSV(key), toUSV(init[key])]);
      } else {
        const str = toUSV(init);
        this[kList] = parse(str.startsWith('?') ? str.slice(1) : str);
      }
    }
    get size() {
      return this[kList].length;
    }
    #changed() {
      if (this[kUpdate]) this[kUpdate](this.toString());
    }
    append(name, value) {
      this[kList].push([toUSV(name), toUSV(value)]);
      this.#changed();
    }
    delete(name, value) {
      name = toUSV(name);
      const only = value === undefined ? undefined : toUSV(value);
      this[kList] = this[kList].filter(([k, v]) => !(k === name && (only === undefined || v === only)));
      this.#changed();
    }
    get(name) {
      const found = this[kList].find(([k]) => k === toUSV(name));
      return found ? found[1] : null;
    }
    getAll(name) {
      return this[kList].filter(([k]) => k === toUSV(name)).map(([, v]) => v);
    }
    has(name, value) {
      name = toUSV(name);
      const only = value === undefined ? undefined : toUSV(value);
      return this[kList].some(([k, v]) => k === name && (only === undefined || v === only));
    }
    set(name, value) {
      name = toUSV(name);
      value = toUSV(value);
      const index = this[kList].findIndex(([k]) => k === name);
      if (index < 0) this[kList].push([name, value]);
      else {
        this[kList][index][1] = value;
        this[kList] = this[kList].filter(([k], i) => k !== name || i <= index);
      }
      this.#changed();
    }
    sort() {
      // Stable sort by UTF-16 code units of the name (Array#sort is stable).
      this[kList].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      this.#changed();
    }
    forEach(callback, thisArg) {
      for (const [k, v] of this[kList].slice()) callback.call(thisArg, v, k, this);
    }
    *entries() {
      for (let i = 0; i < this[kList].length; i++) yield this[kList][i].slice();
    }
    *keys() {
      for (const [k] of this.entries()) yield k;
    }
    *values() {
      for (const [, v] of this.entries()) yield v;
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      return this[kList].map(([k, v]) => encode(k, 'form') + '=' + encode(v, 'form')).join('&');
    }
    get [Symbol.toStringTag]() {
      return 'URLSearchParams';
    }
    [Symbol.for('nodejs.util.inspect.custom')](_depth, _options, inspect) {
      if (this[kList].length === 0) return 'URLSearchParams {}';
      return 'URLSearchParams { ' + this[kList].map(([k, v]) => inspect(k) + ' => ' + inspect(v)).join(', ') + ' }';
    }
  }

  /** Bind params to a URL: `update(queryString)` is called after each mutation; `reset(query)` re-reads. */
  function link(params, update) {
    params[kUpdate] = update;
  }
  function reset(params, query) {
    params[kList] = query ? parse(query) : [];
  }

  return { URLSearchParams, link, reset };
});
