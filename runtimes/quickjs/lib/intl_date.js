// Intl.DateTimeFormat for the sandbox. The sandbox clock is UTC and there is no time zone database, so
// only UTC (and fixed "+hh:mm" offsets) are accepted; other zones throw a RangeError that says so rather
// than printing a wrong local time. Layouts follow ICU's en-US patterns; a few locales get their numeric
// date order and separators, month and weekday names stay English.
(function (internal) {
  'use strict';
  const { canonicalLocale } = internal.lib('intl_number');
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  // Numeric date layout per locale: order of y/m/d, separator, zero-padding of day and month, 24h clock.
  const NUMERIC = {
    'en-US': { order: 'mdy', sep: '/', pad: false, h24: false },
    en: { order: 'dmy', sep: '/', pad: true, h24: true },
    'en-CA': { order: 'ymd', sep: '-', pad: true, h24: false },
    'en-IN': { order: 'dmy', sep: '/', pad: false, h24: false },
    de: { order: 'dmy', sep: '.', pad: false, h24: true },
    fr: { order: 'dmy', sep: '/', pad: true, h24: true },
    es: { order: 'dmy', sep: '/', pad: false, h24: true },
    it: { order: 'dmy', sep: '/', pad: false, h24: true },
    nl: { order: 'dmy', sep: '-', pad: false, h24: true },
    pt: { order: 'dmy', sep: '/', pad: true, h24: true },
    ru: { order: 'dmy', sep: '.', pad: true, h24: true },
    sv: { order: 'ymd', sep: '-', pad: true, h24: true },
    ja: { order: 'ymd', sep: '/', pad: false, h24: true },
    zh: { order: 'ymd', sep: '/', pad: false, h24: true },
  };
  const TIME_ZONE_NAMES = { UTC: 'Coordinated Universal Time' };

  function numericLayout(locale) {
    return NUMERIC[locale] || NUMERIC[locale.split('-')[0]] || NUMERIC['en-US'];
  }

  function resolveTimeZone(value) {
    if (value === undefined) return 'UTC';
    const zone = String(value);
    if (/^(utc|gmt|etc\/utc|etc\/gmt|z)$/i.test(zone)) return 'UTC';
    if (/^[+-]\d{2}:?\d{2}$/.test(zone)) return zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone;
    throw new RangeError('Invalid time zone specified: ' + zone + ' (the sandbox has no time zone database; use UTC or a "+hh:mm" offset)');
  }

  const STYLES = {
    date: {
      full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
      long: { year: 'numeric', month: 'long', day: 'numeric' },
      medium: { year: 'numeric', month: 'short', day: 'numeric' },
      short: { year: '2-digit', month: 'numeric', day: 'numeric' },
    },
    time: {
      full: { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'long' },
      long: { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' },
      medium: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
      short: { hour: 'numeric', minute: '2-digit' },
    },
  };

  class DateTimeFormat {
    #o;
    // The caller's own minute option: ICU picks an unpadded hour only for an explicit '2-digit' minute.
    #minuteAsked;
    constructor(locales, options = {}, defaults = 'date') {
      options = options === undefined ? {} : Object(options);
      const o = { locale: canonicalLocale(locales), calendar: 'gregory', numberingSystem: 'latn', timeZone: resolveTimeZone(options.timeZone) };
      const fields = ['weekday', 'era', 'year', 'month', 'day', 'hour', 'minute', 'second', 'fractionalSecondDigits', 'timeZoneName'];
      const hasField = fields.some((f) => options[f] !== undefined);
      if ((options.dateStyle || options.timeStyle) && hasField) throw new TypeError("Can't set option " + fields.find((f) => options[f] !== undefined) + ' when ' + (options.dateStyle ? 'dateStyle' : 'timeStyle') + ' is used');
      if (options.dateStyle) {
        Object.assign(o, STYLES.date[options.dateStyle], { dateStyle: options.dateStyle });
        // Short dates keep a 4-digit year outside en-US and German; German medium dates are numeric.
        const language = o.locale.split('-')[0];
        if (options.dateStyle === 'short' && o.locale !== 'en-US' && language !== 'de') o.year = 'numeric';
        if (language === 'de' && options.dateStyle === 'short') Object.assign(o, { day: '2-digit', month: '2-digit' });
        if (language === 'de' && options.dateStyle === 'medium') Object.assign(o, { day: '2-digit', month: '2-digit', year: 'numeric' });
      }
      if (options.timeStyle) Object.assign(o, STYLES.time[options.timeStyle], { timeStyle: options.timeStyle });
      for (const f of fields) if (options[f] !== undefined) o[f] = options[f];
      if (!hasField && !options.dateStyle && !options.timeStyle) {
        if (defaults === 'date' || defaults === 'all') Object.assign(o, { year: 'numeric', month: 'numeric', day: 'numeric' });
        if (defaults === 'time' || defaults === 'all') Object.assign(o, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
      }
      if (o.hour !== undefined) {
        o.hourCycle = resolveHourCycle(options, numericLayout(o.locale).h24);
        o.hour12 = o.hourCycle === 'h11' || o.hourCycle === 'h12';
        this.#minuteAsked = options.minute;
      }
      this.#o = o;
    }
    static supportedLocalesOf(locales) {
      return (Array.isArray(locales) ? locales : locales === undefined ? [] : [locales]).map((l) => canonicalLocale(l));
    }
    resolvedOptions() {
      return Object.assign({}, this.#o);
    }
    get format() {
      // Like V8 after ICU 72, format() prints a plain space before AM/PM; formatToParts keeps U+202F.
      return (date) => this.#parts(date).map((part) => part.value).join('').replace(/\u202f/g, ' ');
    }
    formatToParts(date) {
      return this.#parts(date);
    }
    formatRange(start, end) {
      return this.format(start) + ' – ' + this.format(end);
    }
    // Formatting builds typed parts ({ type: 'year', value: '2000' }...), so formatToParts is exact.
    #parts(input) {
      const o = this.#o;
      let time = input === undefined ? Date.now() : input instanceof Date ? input.getTime() : Number(input);
      if (!Number.isFinite(time)) throw new RangeError('Invalid time value');
      if (o.timeZone !== 'UTC') {
        const sign = o.timeZone[0] === '-' ? -1 : 1;
        time += sign * (Number(o.timeZone.slice(1, 3)) * 60 + Number(o.timeZone.slice(4, 6))) * 60000;
      }
      const d = new Date(time);
      const fields = { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
      const datePart = this.#dateParts(fields);
      const timePart = this.#timeParts(fields);
      if (datePart.length > 0 && timePart.length > 0) {
        const joiner = o.dateStyle === 'full' || o.dateStyle === 'long' ? ' at ' : ', ';
        return [...datePart, lit(joiner), ...timePart];
      }
      return datePart.length > 0 ? datePart : timePart;
    }
    #dateParts(p) {
      const o = this.#o;
      const year = o.year === '2-digit' ? String(p.year % 100).padStart(2, '0') : o.year ? String(p.year) : '';
      const weekday = o.weekday === 'long' ? WEEKDAYS[p.weekday] : o.weekday === 'short' ? WEEKDAYS[p.weekday].slice(0, 3) : o.weekday === 'narrow' ? WEEKDAYS[p.weekday][0] : '';
      const day = o.day === '2-digit' ? String(p.day).padStart(2, '0') : o.day ? String(p.day) : '';
      const out = weekday ? [part('weekday', weekday)] : [];
      const add = (...items) => {
        for (const item of items) if (item) out.push(item);
      };
      if (o.month === 'long' || o.month === 'short' || o.month === 'narrow') {
        const month = o.month === 'long' ? MONTHS[p.month] : o.month === 'short' ? MONTHS[p.month].slice(0, 3) : MONTHS[p.month][0];
        if (weekday) add(lit(', '));
        // ICU en-US: "Thursday, January 1, 1970", "Jan 1", "January 1970"; day-first locales: "1 January 1970".
        if (numericLayout(o.locale).order === 'dmy' && day) {
          add(part('day', day), lit((o.locale.startsWith('de') ? '.' : '') + ' '), part('month', month));
          if (year) add(lit(' '), part('year', year));
        } else {
          add(part('month', month));
          if (day) add(lit(' '), part('day', day));
          if (year) add(lit(day ? ', ' : ' '), part('year', year));
        }
        return out;
      }
      if (!o.month && !day && !year) return out;
      if (weekday) add(lit(', '));
      const layout = numericLayout(o.locale);
      const pad = (v, field) => (o[field] === '2-digit' || (layout.pad && o[field] === 'numeric') ? String(v).padStart(2, '0') : String(v));
      const values = { y: year && part('year', year), m: o.month && part('month', pad(p.month + 1, 'month')), d: day && part('day', pad(p.day, 'day')) };
      const shown = layout.order.split('').map((k) => values[k]).filter(Boolean);
      shown.forEach((item, i) => {
        add(i > 0 ? lit(layout.sep) : null, item);
      });
      if (layout.sep === '.' && o.locale.startsWith('de') && !year) add(lit('.'));
      return out;
    }
    #timeParts(p) {
      const o = this.#o;
      if (o.hour === undefined && o.minute === undefined && o.second === undefined) return [];
      const out = [];
      let dayPeriod = '';
      if (o.hour !== undefined) {
        if (o.hour12) dayPeriod = dayPeriodName(o.locale, p.hour);
        const hour = { h11: p.hour % 12, h12: p.hour % 12 || 12, h23: p.hour, h24: p.hour || 24 }[o.hourCycle];
        out.push(part('hour', padHour(o, this.#minuteAsked) ? String(hour).padStart(2, '0') : String(hour)));
      }
      if (o.minute !== undefined) {
        if (out.length > 0) out.push(lit(':'));
        out.push(part('minute', o.hour === undefined && o.minute === 'numeric' ? String(p.minute) : String(p.minute).padStart(2, '0')));
      }
      if (o.second !== undefined) {
        if (out.length > 0) out.push(lit(':'));
        out.push(part('second', o.minute === undefined && o.second === 'numeric' ? String(p.second) : String(p.second).padStart(2, '0')));
      }
      if (dayPeriod) out.push(lit('\u202f'), part('dayPeriod', dayPeriod));
      if (o.timeZoneName) {
        const name = o.timeZone === 'UTC' ? (o.timeZoneName === 'long' ? TIME_ZONE_NAMES.UTC : 'UTC') : 'GMT' + o.timeZone.replace(/:00$/, '').replace(/^([+-])0/, '$1');
        out.push(lit(' '), part('timeZoneName', name));
      }
      return out;
    }
  }

  // As Node 24 (ECMA-402's current rule): hour12 wins over hourCycle and picks the locale's own 12- or
  // 24-hour cycle (h12 / h23 here: no modelled locale counts 0-11 or 1-24), so en-US hour12:false is h23
  // ("00:00", where Node 22 said h24, "24:00"); without hour12, hourCycle is taken as given.
  function resolveHourCycle(options, localeH24) {
    if (options.hour12 !== undefined) return options.hour12 ? 'h12' : 'h23';
    if (options.hourCycle !== undefined) {
      const cycle = String(options.hourCycle);
      if (!/^h(11|12|23|24)$/.test(cycle)) throw new RangeError('Value ' + cycle + ' out of range for Intl.DateTimeFormat options property hourCycle');
      return cycle;
    }
    return localeH24 ? 'h23' : 'h12';
  }

  // CLDR's English day periods: "AM" in the US, "a.m." in Canada, "am" in the other English locales.
  // Other languages keep the en-US layout, so they keep its "AM" too.
  function dayPeriodName(locale, hour) {
    const [am, pm] = locale === 'en' || locale === 'en-US' || !locale.startsWith('en') ? ['AM', 'PM'] : locale === 'en-CA' ? ['a.m.', 'p.m.'] : ['am', 'pm'];
    return hour < 12 ? am : pm;
  }

  // ICU's hour width: '2-digit' always pads, and so do a 24-hour locale's timeStyle patterns ("HH:mm",
  // whatever the cycle). A 24-hour clock in a 12-hour locale (en-US) pads too ("05:00"); a 24-hour locale
  // pads unless the caller asked for a '2-digit' minute ("5:00").
  function padHour(o, minuteAsked) {
    const localeH24 = numericLayout(o.locale).h24;
    if (o.hour === '2-digit' || (o.timeStyle && localeH24)) return true;
    if (o.hour12) return false;
    return !localeH24 || minuteAsked !== '2-digit';
  }

  const part = (type, value) => ({ type, value });
  const lit = (value) => ({ type: 'literal', value });

  return { DateTimeFormat, resolveTimeZone };
});
