// Intl.NumberFormat for the sandbox (QuickJS has no Intl). Covers what code nodes format: grouping,
// fraction/significant digits, percent, currency (symbol placement for common locales), compact
// notation and signDisplay. Output matches Node (ICU) for en-* and the locales in LOCALES.
(function (internal) {
  'use strict';
  const NBSP = '\u00a0';
  const NNBSP = '\u202f'; // narrow no-break space (French grouping)
  // group separator, decimal separator, currency pattern ('pre' "$1", 'preSpace' "€ 1", 'post' "1 €"),
  // percent pattern ('tight' "5%", 'space' "5 %"), minimum grouping digits.
  const LOCALES = {
    en: [',', '.', 'pre', 'tight', 1],
    de: ['.', ',', 'post', 'space', 1],
    'de-CH': ['’', '.', 'preSpace', 'tight', 1],
    'de-AT': [NBSP, ',', 'preSpace', 'space', 1],
    fr: [NNBSP, ',', 'post', 'space', 1],
    es: ['.', ',', 'post', 'space', 2],
    it: ['.', ',', 'post', 'tight', 2],
    pt: ['.', ',', 'preSpace', 'tight', 1],
    'pt-PT': [NBSP, ',', 'post', 'tight', 2],
    nl: ['.', ',', 'preSpace', 'tight', 1],
    ru: [NBSP, ',', 'post', 'space', 1],
    pl: [NBSP, ',', 'post', 'tight', 2],
    sv: [NBSP, ',', 'post', 'space', 1],
    ja: [',', '.', 'pre', 'tight', 1],
    zh: [',', '.', 'pre', 'tight', 1],
    ko: [',', '.', 'pre', 'tight', 1],
    hi: [',', '.', 'pre', 'tight', 1],
  };
  const SYMBOLS = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CNY: 'CN¥', INR: '₹', KRW: '₩', BRL: 'R$', CAD: 'CA$', AUD: 'A$', CHF: 'CHF', RUB: 'RUB', MXN: 'MX$', SEK: 'SEK', PLN: 'PLN' };
  // Where a locale spells a currency differently from the English symbol (ICU data, most used ones only).
  const LOCAL_SYMBOLS = {
    'ja:JPY': '￥', 'zh:CNY': '¥', 'ru:RUB': '₽', 'sv:SEK': 'kr', 'pl:PLN': 'zł', 'en-CA:CAD': '$', 'en-AU:AUD': '$', 'pt-BR:BRL': 'R$',
    'fr:USD': '$US', 'fr:JPY': 'JPY', 'fr:GBP': '£GB', 'fr:CAD': '$CA', 'fr:AUD': '$AU', 'fr:CNY': 'CNY',
    'es:USD': 'US$', 'es:JPY': 'JPY', 'es:CNY': 'CNY', 'pt:USD': 'US$', 'pt:JPY': 'JP¥', 'it:USD': 'USD', 'it:JPY': 'JPY', 'hi:JPY': 'JP¥',
    // English outside the US: the dollar and the yen are qualified.
    'en:USD': 'US$', 'en:JPY': 'JP¥', 'en-US:USD': '$', 'en-US:JPY': '¥', 'en-IN:USD': '$',
  };
  const ZERO_DIGIT_CURRENCIES = new Set(['JPY', 'KRW', 'CLP', 'VND', 'ISK', 'HUF']);

  function canonicalLocale(locales) {
    const first = Array.isArray(locales) ? locales[0] : locales;
    if (first === undefined) return 'en-US';
    const tag = String(first);
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) throw new RangeError('Incorrect locale information provided');
    const parts = tag.split('-');
    return [parts[0].toLowerCase(), ...parts.slice(1).map((p) => (p.length === 2 ? p.toUpperCase() : p.length === 4 ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p))].join('-');
  }

  function localeData(locale) {
    const language = locale.split('-')[0];
    return LOCALES[locale] || LOCALES[language] || LOCALES.en;
  }

  function digitsOption(value, min, max, fallback, name) {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(name + ' value is out of range.');
    return Math.floor(n);
  }

  // ICU rounds the shortest decimal representation of a double (so 1.005 -> "1.01", unlike toFixed),
  // half away from zero. A decimal is { digits: '12345', point: 2 } meaning 123.45.
  function decimalOf(x) {
    const text = String(x);
    const [mantissa, exp] = text.split('e');
    const [intPart, fracPart = ''] = mantissa.split('.');
    let digits = intPart + fracPart;
    let point = intPart.length + (exp ? Number(exp) : 0);
    const leading = digits.match(/^0*/)[0].length;
    digits = digits.slice(leading);
    point -= leading;
    if (digits === '') return { digits: '', point: 1 };
    return { digits, point };
  }

  function roundAt(d, keep) {
    if (keep >= d.digits.length) return d;
    if (keep < 0) return { digits: '', point: d.point };
    let head = d.digits.slice(0, keep);
    let point = d.point;
    if (d.digits.charCodeAt(keep) >= 53) {
      // increment head as a decimal string
      let i = head.length - 1;
      while (i >= 0 && head[i] === '9') i--;
      if (i < 0) {
        head = '1' + '0'.repeat(head.length);
        point += 1;
      } else head = head.slice(0, i) + String(Number(head[i]) + 1) + '0'.repeat(head.length - i - 1);
    }
    return { digits: head.replace(/0+$/, ''), point };
  }

  /** Render a decimal with at least `minFraction` and (after rounding) at most `maxFraction` digits. */
  function renderDecimal(d, minFraction) {
    const digits = d.digits;
    let integer;
    let fraction;
    if (d.point <= 0) {
      integer = '0';
      fraction = '0'.repeat(-d.point) + digits;
    } else {
      integer = digits.slice(0, d.point).padEnd(d.point, '0');
      fraction = digits.slice(d.point);
    }
    if (digits === '') (integer = '0'), (fraction = '');
    fraction = fraction.padEnd(minFraction, '0');
    return fraction ? integer + '.' + fraction : integer;
  }

  function fixedText(d, minFraction, maxFraction) {
    return renderDecimal(roundAt(d, d.point + maxFraction), minFraction);
  }

  function significantText(d, minSignificant, maxSignificant) {
    const rounded = roundAt(d, maxSignificant);
    const shown = Math.max(rounded.digits.length, minSignificant);
    return renderDecimal(rounded, Math.max(0, shown - rounded.point));
  }

  function group(integer, separator, minGrouping, indian) {
    if (integer.length < 4 || (minGrouping === 2 && integer.length < 5)) return integer;
    if (indian) {
      const last = integer.slice(-3);
      const rest = integer.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, separator);
      return rest + separator + last;
    }
    return integer.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  }

  // English compact notation (ICU's data differs per locale; other locales get these suffixes too).
  const COMPACT = [[12, 'T', ' trillion'], [9, 'B', ' billion'], [6, 'M', ' million'], [3, 'K', ' thousand']];

  class NumberFormat {
    #o;
    constructor(locales, options = {}) {
      options = options === undefined ? {} : Object(options);
      const locale = canonicalLocale(locales);
      const style = options.style === undefined ? 'decimal' : String(options.style);
      if (!['decimal', 'percent', 'currency', 'unit'].includes(style)) throw new RangeError('Value ' + style + ' out of range for Intl.NumberFormat options property style');
      let currency;
      if (style === 'currency') {
        if (options.currency === undefined) throw new TypeError('Currency code is required with currency style.');
        currency = String(options.currency).toUpperCase();
        if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError('Invalid currency code : ' + options.currency);
      }
      const currencyDigits = currency && ZERO_DIGIT_CURRENCIES.has(currency) ? 0 : 2;
      const defaultMin = style === 'currency' ? currencyDigits : 0;
      const defaultMax = style === 'currency' ? currencyDigits : style === 'percent' ? 0 : 3;
      const minimumFractionDigits = digitsOption(options.minimumFractionDigits, 0, 100, defaultMin, 'minimumFractionDigits');
      const maximumFractionDigits = digitsOption(options.maximumFractionDigits, 0, 100, Math.max(defaultMax, minimumFractionDigits), 'maximumFractionDigits');
      if (maximumFractionDigits < minimumFractionDigits) throw new RangeError('maximumFractionDigits value is out of range.');
      this.#o = {
        locale,
        numberingSystem: 'latn',
        style,
        currency,
        currencyDisplay: options.currencyDisplay || 'symbol',
        unit: options.unit,
        unitDisplay: options.unitDisplay || 'short',
        minimumIntegerDigits: digitsOption(options.minimumIntegerDigits, 1, 21, 1, 'minimumIntegerDigits'),
        minimumFractionDigits,
        maximumFractionDigits,
        minimumSignificantDigits: options.minimumSignificantDigits === undefined && options.maximumSignificantDigits === undefined ? undefined : digitsOption(options.minimumSignificantDigits, 1, 21, 1, 'minimumSignificantDigits'),
        maximumSignificantDigits: options.maximumSignificantDigits === undefined && options.minimumSignificantDigits === undefined ? undefined : digitsOption(options.maximumSignificantDigits, 1, 21, 21, 'maximumSignificantDigits'),
        useGrouping: options.useGrouping === undefined ? 'auto' : options.useGrouping === false ? false : options.useGrouping === 'min2' ? 'min2' : 'auto',
        notation: options.notation || 'standard',
        compactDisplay: options.compactDisplay || 'short',
        signDisplay: options.signDisplay || 'auto',
      };
    }
    static supportedLocalesOf(locales) {
      return (Array.isArray(locales) ? locales : locales === undefined ? [] : [locales]).map((l) => canonicalLocale(l));
    }
    resolvedOptions() {
      const out = {};
      for (const [key, value] of Object.entries(this.#o)) if (value !== undefined) out[key] = value;
      return out;
    }
    get format() {
      return (value) => this.#format(value).map((p) => p.value).join('');
    }
    formatToParts(value) {
      return this.#format(value);
    }
    #format(value) {
      const o = this.#o;
      const big = typeof value === 'bigint';
      const x = big ? Number(value) : Number(value);
      const [groupSep, decimalSep, currencyPattern, percentPattern, minGrouping] = localeData(o.locale);
      if (Number.isNaN(x)) return [part('nan', 'NaN')];
      const negative = big ? value < 0n : x < 0 || Object.is(x, -0);
      const assemble = (text, suffix) => this.#assemble(negative, text, suffix, groupSep, decimalSep, currencyPattern, percentPattern, minGrouping);
      if (!Number.isFinite(x) && !big) return assemble('∞', '');
      // BigInts keep every digit: build the decimal from their own string, not from a double.
      const bigDigits = big ? (value < 0n ? -value : value).toString() : '';
      let d = big ? { digits: bigDigits.replace(/0+$/, ''), point: bigDigits === '0' ? 1 : bigDigits.length } : decimalOf(Math.abs(x));
      if (big && bigDigits === '0') d = { digits: '', point: 1 };
      if (o.style === 'percent' && d.digits !== '') d = { digits: d.digits, point: d.point + 2 };
      const significant = o.maximumSignificantDigits !== undefined;
      if (o.notation === 'compact') {
        // Two significant digits below 100 of the unit, whole units above; rounding may promote the unit.
        for (let attempt = 0; attempt < 2; attempt++) {
          const unit = COMPACT.find(([power]) => d.point > power) || [0, '', ''];
          const scaled = { digits: d.digits, point: d.point - unit[0] };
          const text = significant ? significantText(scaled, o.minimumSignificantDigits, o.maximumSignificantDigits) : scaled.point <= 2 ? significantText(scaled, 1, 2) : fixedText(scaled, 0, 0);
          const promoted = decimalOf(Number(text) * 10 ** unit[0]);
          if (attempt === 0 && unit !== COMPACT[0] && promoted.point > d.point) {
            d = promoted;
            continue;
          }
          const short = o.locale === 'en-GB' ? { K: 'k', M: 'm', B: 'bn', T: 'tn' }[unit[1]] || '' : unit[1];
          return assemble(text, o.compactDisplay === 'long' ? unit[2] : short);
        }
      }
      const text = significant ? significantText(d, o.minimumSignificantDigits, o.maximumSignificantDigits) : fixedText(d, o.minimumFractionDigits, o.maximumFractionDigits);
      return assemble(text, '');
    }
    // Builds Node's typed parts (minusSign, currency, integer, group, decimal, fraction, compact,
    // percentSign, literal); format() joins them.
    #assemble(negative, text, suffix, groupSep, decimalSep, currencyPattern, percentPattern, minGrouping) {
      const o = this.#o;
      let [integer, fraction] = text.split('.');
      const infinite = integer === '∞';
      if (!infinite) integer = integer.padStart(o.minimumIntegerDigits, '0');
      const isZero = !/[1-9]/.test(text);
      const number = [];
      if (infinite) number.push(part('infinity', '∞'));
      else {
        const grouped = o.useGrouping === false ? integer : group(integer, groupSep, o.useGrouping === 'min2' || suffix ? 2 : minGrouping, o.locale === 'en-IN' || o.locale.startsWith('hi'));
        grouped.split(groupSep).forEach((digits, i) => {
          if (i > 0) number.push(part('group', groupSep));
          number.push(part('integer', digits));
        });
      }
      if (fraction) number.push(part('decimal', decimalSep), part('fraction', fraction));
      if (suffix) number.push(...(suffix.startsWith(' ') ? [part('literal', ' '), part('compact', suffix.slice(1))] : [part('compact', suffix)]));
      if (o.style === 'percent') number.push(...(percentPattern === 'tight' ? [] : [part('literal', NBSP)]), part('percentSign', '%'));
      if (o.style === 'unit' && o.unit) number.push(part('literal', ' '), part('unit', o.unit));
      if (o.style === 'currency') {
        const language = o.locale.split('-')[0];
        let symbol = LOCAL_SYMBOLS[o.locale + ':' + o.currency] || LOCAL_SYMBOLS[language + ':' + o.currency] || SYMBOLS[o.currency] || o.currency;
        if (o.currencyDisplay === 'code') symbol = o.currency;
        if (o.currencyDisplay === 'narrowSymbol') symbol = symbol.replace(/^[A-Z]+(?=\W)/, '');
        // ICU separates a prefix symbol from the digits only when the symbol ends with a letter ("GBP 1").
        const spaced = currencyPattern === 'preSpace' || /[A-Za-z]$/.test(symbol) || o.currencyDisplay === 'code';
        if (currencyPattern === 'post') number.push(part('literal', NBSP), part('currency', symbol));
        else number.unshift(part('currency', symbol), ...(spaced ? [part('literal', NBSP)] : []));
      }
      const sign = o.signDisplay;
      let prefix = '';
      if (negative && !(isZero && sign !== 'negative' && sign !== 'always' && sign !== 'auto') && sign !== 'never') {
        prefix = isZero && (sign === 'exceptZero' || sign === 'negative') ? '' : '-';
      } else if (!negative && (sign === 'always' || (sign === 'exceptZero' && !isZero))) prefix = '+';
      if (negative && isZero && sign === 'auto') prefix = '-';
      if (prefix) number.unshift(part(prefix === '-' ? 'minusSign' : 'plusSign', prefix));
      return number;
    }
  }

  const part = (type, value) => ({ type, value });

  void internal;
  return { NumberFormat, canonicalLocale };
});
