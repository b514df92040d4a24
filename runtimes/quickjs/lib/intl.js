// `Intl` for the sandbox, which QuickJS lacks: NumberFormat and DateTimeFormat (own files), plus Collator,
// PluralRules, ListFormat and RelativeTimeFormat with English data, and the helpers bootstrap can install
// as Number/Date/String/BigInt.prototype.toLocale* and localeCompare. English output matches Node (ICU);
// other locales get their separators and date order, with English words.
(function (internal) {
  'use strict';
  const { NumberFormat, canonicalLocale } = internal.lib('intl_number');
  const lazyDate = () => internal.lib('intl_date').DateTimeFormat;

  // ---- Collator: ICU-like ordering without ICU tables. Primary strength compares letters ignoring
  // accents and case, then accents, then case (lower-case first, as in ICU's root collation). ----
  const stripMarks = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  // ICU orders whitespace, then punctuation and symbols, then digits, then letters.
  const primaryKey = (s) => stripMarks(s).toLowerCase().replace(/\s/g, '\u0001').replace(/[^\p{L}\p{N}\u0001]/gu, (c) => '\u0002' + c);
  function chunks(s, numeric) {
    return numeric ? s.match(/\d+|\D+/g) || [] : [s];
  }
  function compareChunks(a, b, numeric) {
    const x = chunks(a, numeric);
    const y = chunks(b, numeric);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const p = x[i];
      const q = y[i];
      if (numeric && /^\d/.test(p) && /^\d/.test(q)) {
        const diff = p.replace(/^0+/, '').length - q.replace(/^0+/, '').length || (p.replace(/^0+/, '') < q.replace(/^0+/, '') ? -1 : p.replace(/^0+/, '') > q.replace(/^0+/, '') ? 1 : 0);
        if (diff !== 0) return Math.sign(diff);
      } else if (p !== q) return p < q ? -1 : 1;
    }
    return Math.sign(x.length - y.length);
  }
  class Collator {
    #o;
    constructor(locales, options = {}) {
      options = options === undefined ? {} : Object(options);
      const sensitivity = options.sensitivity || (options.usage === 'search' ? 'base' : 'variant');
      this.#o = { locale: canonicalLocale(locales), usage: options.usage || 'sort', sensitivity, ignorePunctuation: !!options.ignorePunctuation, collation: 'default', numeric: !!options.numeric, caseFirst: options.caseFirst || 'false' };
    }
    static supportedLocalesOf(locales) {
      return NumberFormat.supportedLocalesOf(locales);
    }
    resolvedOptions() {
      return Object.assign({}, this.#o);
    }
    get compare() {
      return (a, b) => this.#compare(String(a), String(b));
    }
    #compare(a, b) {
      const o = this.#o;
      if (o.ignorePunctuation) {
        a = a.replace(/[\s\p{P}]/gu, '');
        b = b.replace(/[\s\p{P}]/gu, '');
      }
      const primary = compareChunks(primaryKey(a), primaryKey(b), o.numeric);
      if (primary !== 0 || o.sensitivity === 'base') return primary;
      if (o.sensitivity === 'accent' || o.sensitivity === 'variant') {
        const accents = compareChunks(a.normalize('NFD').toLowerCase(), b.normalize('NFD').toLowerCase(), o.numeric);
        if (accents !== 0) return accents;
      }
      if (o.sensitivity === 'case' || o.sensitivity === 'variant') {
        for (let i = 0; i < Math.min(a.length, b.length); i++) {
          if (a[i] === b[i]) continue;
          const aLower = a[i] === a[i].toLowerCase();
          const bLower = b[i] === b[i].toLowerCase();
          if (aLower !== bLower) return (aLower ? -1 : 1) * (o.caseFirst === 'upper' ? -1 : 1);
        }
      }
      return 0;
    }
  }

  // ---- PluralRules (English) ----
  class PluralRules {
    #o;
    constructor(locales, options = {}) {
      options = options === undefined ? {} : Object(options);
      this.#o = { locale: canonicalLocale(locales), type: options.type || 'cardinal', minimumIntegerDigits: 1, minimumFractionDigits: options.minimumFractionDigits || 0, maximumFractionDigits: options.maximumFractionDigits === undefined ? 3 : options.maximumFractionDigits, pluralCategories: options.type === 'ordinal' ? ['few', 'one', 'two', 'other'] : ['one', 'other'] };
    }
    static supportedLocalesOf(locales) {
      return NumberFormat.supportedLocalesOf(locales);
    }
    resolvedOptions() {
      return Object.assign({}, this.#o, { pluralCategories: this.#o.pluralCategories.slice() });
    }
    select(value) {
      const n = Math.abs(Number(value));
      if (this.#o.type === 'ordinal') {
        const ten = n % 10;
        const hundred = n % 100;
        if (ten === 1 && hundred !== 11) return 'one';
        if (ten === 2 && hundred !== 12) return 'two';
        if (ten === 3 && hundred !== 13) return 'few';
        return 'other';
      }
      return n === 1 && this.#o.minimumFractionDigits === 0 ? 'one' : 'other';
    }
  }

  // ---- ListFormat (English) ----
  class ListFormat {
    #o;
    constructor(locales, options = {}) {
      options = options === undefined ? {} : Object(options);
      this.#o = { locale: canonicalLocale(locales), type: options.type || 'conjunction', style: options.style || 'long' };
    }
    format(list) {
      const items = Array.from(list, String);
      const { type, style } = this.#o;
      const word = type === 'disjunction' ? 'or' : type === 'unit' ? '' : style === 'long' ? 'and' : '&';
      if (items.length <= 1) return items.join('');
      if (type === 'unit' || style === 'narrow') return items.join(type === 'unit' && style === 'narrow' ? ' ' : ', ');
      if (items.length === 2) return items[0] + ' ' + word + ' ' + items[1];
      return items.slice(0, -1).join(', ') + ', ' + word + ' ' + items[items.length - 1];
    }
    formatToParts(list) {
      return [{ type: 'literal', value: this.format(list) }];
    }
    resolvedOptions() {
      return Object.assign({}, this.#o);
    }
  }

  // ---- RelativeTimeFormat (English) ----
  const UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
  const SHORT = { year: 'yr.', quarter: 'qtr.', month: 'mo.', week: 'wk.', day: 'day', hour: 'hr.', minute: 'min.', second: 'sec.' };
  const SHORT_PLURAL = { quarter: 'qtrs.', day: 'days' };
  const AUTO = { year: ['last year', 'this year', 'next year'], quarter: ['last quarter', 'this quarter', 'next quarter'], month: ['last month', 'this month', 'next month'], week: ['last week', 'this week', 'next week'], day: ['yesterday', 'today', 'tomorrow'], hour: [null, 'this hour', null], minute: [null, 'this minute', null], second: [null, 'now', null] };
  class RelativeTimeFormat {
    #o;
    constructor(locales, options = {}) {
      options = options === undefined ? {} : Object(options);
      this.#o = { locale: canonicalLocale(locales), style: options.style || 'long', numeric: options.numeric || 'always', numberingSystem: 'latn' };
    }
    format(value, unitName) {
      const unit = String(unitName).replace(/s$/, '');
      if (!UNITS.includes(unit)) throw new RangeError('Invalid unit argument for format() \'' + unitName + '\'');
      const n = Number(value);
      if (!Number.isFinite(n)) throw new RangeError('Invalid number value');
      if (this.#o.numeric === 'auto' && Math.abs(n) <= 1 && Number.isInteger(n)) {
        const phrase = AUTO[unit][n + 1];
        if (phrase) return phrase;
      }
      const amount = new NumberFormat(this.#o.locale).format(Math.abs(n));
      const plural = Math.abs(n) !== 1;
      const label = this.#o.style === 'long' ? unit + (plural ? 's' : '') : (plural && SHORT_PLURAL[unit]) || SHORT[unit];
      return n < 0 || Object.is(n, -0) ? amount + ' ' + label + ' ago' : 'in ' + amount + ' ' + label;
    }
    formatToParts(value, unit) {
      return [{ type: 'literal', value: this.format(value, unit) }];
    }
    resolvedOptions() {
      return Object.assign({}, this.#o);
    }
  }

  const Intl = {
    NumberFormat,
    get DateTimeFormat() {
      return lazyDate();
    },
    Collator,
    PluralRules,
    ListFormat,
    RelativeTimeFormat,
    getCanonicalLocales: (locales) => NumberFormat.supportedLocalesOf(locales),
    supportedValuesOf: (key) => (key === 'timeZone' ? ['UTC'] : key === 'calendar' ? ['gregory'] : key === 'numberingSystem' ? ['latn'] : []),
  };
  Object.defineProperty(Intl, Symbol.toStringTag, { value: 'Intl' });

  // Prototype methods bootstrap can install, matching Node: toLocaleString on dates shows date and time.
  const dateFormat = (kind) => (date, locales, options) => {
    if (!(date instanceof Date)) throw new TypeError('this is not a Date object.');
    if (Number.isNaN(date.getTime())) return 'Invalid Date';
    return new (lazyDate())(locales, options, kind).format(date);
  };
  return {
    Intl,
    // `value` may arrive boxed (a sloppy-mode `this`): unbox so BigInts keep every digit.
    numberToLocaleString: (value, locales, options) => new NumberFormat(locales, options).format(value instanceof BigInt || value instanceof Number ? value.valueOf() : value),
    dateToLocaleString: dateFormat('all'),
    dateToLocaleDateString: dateFormat('date'),
    dateToLocaleTimeString: dateFormat('time'),
    localeCompare: (a, b, locales, options) => new Collator(locales, options).compare(a, b),
  };
});
