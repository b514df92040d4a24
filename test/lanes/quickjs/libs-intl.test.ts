// Intl in the sandbox (QuickJS has none): output equals Node's ICU for English and for the number
// formats of the common locales the library knows.
import { describe, expect, it } from 'vitest';
import { guestValue } from './lib-harness.js';

type Case = [string, Record<string, unknown>, number];
const NUMBERS = [0, 1, -1234.5678, 1234567.891, 0.125, 1.005, 999.995, 1e21, 12, 1500, 999999, 0.5];
const NUMBER_OPTIONS: Record<string, unknown>[] = [
  {}, { style: 'currency', currency: 'USD' }, { style: 'currency', currency: 'EUR' }, { style: 'currency', currency: 'JPY' }, { style: 'percent' },
  { maximumFractionDigits: 0 }, { minimumFractionDigits: 2 }, { maximumSignificantDigits: 3 }, { useGrouping: false }, { signDisplay: 'always' },
  { signDisplay: 'exceptZero' }, { minimumIntegerDigits: 3 }, { style: 'currency', currency: 'GBP', currencyDisplay: 'code' },
];
const LOCALES = ['en-US', 'en-GB', 'en-IN', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'ja-JP', 'pt-BR'];
const DATES = [0, 1700000000000, 951829509000];
const DATE_OPTIONS: Record<string, unknown>[] = [
  {}, { dateStyle: 'full' }, { dateStyle: 'long' }, { dateStyle: 'medium' }, { dateStyle: 'short' }, { timeStyle: 'short' }, { timeStyle: 'full' },
  { dateStyle: 'medium', timeStyle: 'short' }, { dateStyle: 'long', timeStyle: 'short' }, { year: 'numeric', month: 'long', day: 'numeric' },
  { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }, { month: 'short', day: 'numeric' }, { year: 'numeric', month: '2-digit', day: '2-digit' },
  { hour: '2-digit', minute: '2-digit' }, { year: 'numeric', month: 'long' }, { weekday: 'short' }, { hour: 'numeric', minute: '2-digit', hour12: false },
  { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }, { timeZoneName: 'short', hour: 'numeric' },
];

function nodeFormat(kind: 'number' | 'date', [locale, options, value]: Case): string {
  try {
    return kind === 'number' ? new Intl.NumberFormat(locale, options).format(value) : new Intl.DateTimeFormat(locale, options).format(new Date(value));
  } catch (error) {
    return (error as Error).name;
  }
}

describe('intl lib', () => {
  it('NumberFormat matches Node for common locales and options', async () => {
    const cases: Case[] = [];
    for (const locale of LOCALES) for (const options of NUMBER_OPTIONS) for (const n of NUMBERS) cases.push([locale, options, n]);
    for (const n of NUMBERS) cases.push(['en-US', { notation: 'compact' }, n], ['en-US', { notation: 'compact', compactDisplay: 'long' }, n], ['en-GB', { notation: 'compact' }, n]);
    const got = await guestValue<string[]>(`const { Intl } = lib('intl');
      return ${JSON.stringify(cases)}.map(([l, o, n]) => { try { return new Intl.NumberFormat(l, o).format(n); } catch (e) { return e.name; } });`);
    expect(got).toEqual(cases.map((c) => nodeFormat('number', c)));
  });

  it('NumberFormat.formatToParts gives Node\'s typed parts', async () => {
    const cases: Case[] = [];
    for (const locale of ['en-US', 'de-DE', 'fr-FR']) for (const options of NUMBER_OPTIONS) for (const n of [-1234.5678, 0.125, 1500, 999999]) cases.push([locale, options, n]);
    for (const n of [1500, 2.5e9]) cases.push(['en-US', { notation: 'compact' }, n], ['en-US', { notation: 'compact', compactDisplay: 'long' }, n]);
    const script = `return ${JSON.stringify(cases)}.map(([l, o, n]) => new Intl.NumberFormat(l, o).formatToParts(n));`;
    expect(await guestValue(`const { Intl } = lib('intl');\n` + script)).toEqual((new Function(script) as () => unknown)());
  });

  it('DateTimeFormat matches Node in English (UTC)', async () => {
    const cases: Case[] = [];
    for (const locale of ['en-US', 'en-GB']) {
      for (const options of DATE_OPTIONS) {
        if (locale === 'en-GB' && options['timeZoneName']) continue; // en-GB's hour-only pattern ("13h") is not modelled
        for (const t of DATES) cases.push([locale, { timeZone: 'UTC', ...options }, t]);
      }
    }
    for (const t of DATES) cases.push(['de-DE', { timeZone: 'UTC' }, t], ['de-DE', { timeZone: 'UTC', dateStyle: 'medium' }, t], ['fr-FR', { timeZone: 'UTC' }, t], ['sv-SE', { timeZone: 'UTC' }, t]);
    const got = await guestValue<string[]>(`const { Intl } = lib('intl');
      return ${JSON.stringify(cases)}.map(([l, o, t]) => { try { return new Intl.DateTimeFormat(l, o).format(new Date(t)); } catch (e) { return e.name; } });`);
    expect(got).toEqual(cases.map((c) => nodeFormat('date', c)));
  });

  it('DateTimeFormat.formatToParts gives Node\'s typed parts in English', async () => {
    const cases: Case[] = [];
    for (const options of DATE_OPTIONS) for (const t of DATES) cases.push(['en-US', { timeZone: 'UTC', ...options }, t]);
    const script = `return ${JSON.stringify(cases)}.map(([l, o, t]) => new Intl.DateTimeFormat(l, o).formatToParts(new Date(t)));`;
    expect(await guestValue(`const { Intl } = lib('intl');\n` + script)).toEqual((new Function(script) as () => unknown)());
  });

  it('DateTimeFormat resolves hour12 / hourCycle like Node 24 (hour12:false in en-US is h23, "00:00")', async () => {
    const cases: Case[] = [];
    const shapes = [{ hour: 'numeric' }, { hour: '2-digit' }, { hour: 'numeric', minute: '2-digit' }, { hour: '2-digit', minute: '2-digit' }, { timeStyle: 'short' }];
    const cycles = [{}, { hour12: true }, { hour12: false }, { hourCycle: 'h11' }, { hourCycle: 'h12' }, { hourCycle: 'h23' }, { hourCycle: 'h24' }, { hour12: true, hourCycle: 'h23' }];
    for (const locale of ['en-US', 'en-GB', 'en-CA']) {
      for (const shape of shapes) for (const cycle of cycles) for (const t of [0, 5 * 3600e3, 12 * 3600e3 + 60e3]) cases.push([locale, { timeZone: 'UTC', ...shape, ...cycle }, t]);
    }
    const script = `return ${JSON.stringify(cases)}.map(([l, o, t]) => { const f = new Intl.DateTimeFormat(l, o); const r = f.resolvedOptions(); return [f.format(new Date(t)), r.hourCycle, r.hour12]; });`;
    expect(await guestValue(`const { Intl } = lib('intl');\n` + script)).toEqual((new Function(script) as () => unknown)());
  });

  it('refuses time zones it cannot compute instead of printing a wrong time', async () => {
    const got = await guestValue(`const { Intl } = lib('intl'); const out = [];
      try { new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York' }); } catch (e) { out.push(e.name, /time zone/.test(e.message)); }
      out.push(new Intl.DateTimeFormat('en-US', { timeZone: '+05:30', hour: 'numeric', minute: '2-digit' }).format(new Date(0)));
      return out;`);
    expect(got).toEqual(['RangeError', true, '5:30 AM']);
  });

  it('Collator, PluralRules, ListFormat and RelativeTimeFormat match Node in English', async () => {
    const script = `const out = [];
      const words = ['banana', 'Apple', 'apple', 'äpfel', 'Zebra', 'zebra', 'item10', 'item2', 'Item1', 'éclair', 'eclair', '_x', ' space', '10', '9', 'b'];
      out.push([...words].sort(new Intl.Collator('en').compare), [...words].sort(new Intl.Collator('en', { numeric: true }).compare), [...words].sort(new Intl.Collator('en', { sensitivity: 'base' }).compare));
      out.push(new Intl.Collator('en', { sensitivity: 'base' }).compare('a', 'A'), new Intl.Collator('en', { sensitivity: 'accent' }).compare('a', 'á'), new Intl.Collator('en').compare('a', 'A'), new Intl.Collator('en', { caseFirst: 'upper' }).compare('a', 'A'));
      const pr = new Intl.PluralRules('en-US'); const po = new Intl.PluralRules('en-US', { type: 'ordinal' });
      out.push([0, 1, 2, 1.5].map((n) => pr.select(n)), [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map((n) => po.select(n)));
      out.push(new Intl.ListFormat('en').format(['a', 'b', 'c']), new Intl.ListFormat('en').format(['a', 'b']), new Intl.ListFormat('en', { type: 'disjunction' }).format(['a', 'b', 'c']), new Intl.ListFormat('en', { style: 'short' }).format(['a', 'b', 'c']));
      const rtf = new Intl.RelativeTimeFormat('en'); const auto = new Intl.RelativeTimeFormat('en', { numeric: 'auto' }); const short = new Intl.RelativeTimeFormat('en', { style: 'short' });
      out.push(rtf.format(-3, 'day'), rtf.format(1, 'day'), rtf.format(2, 'hours'), auto.format(-1, 'day'), auto.format(0, 'day'), auto.format(1, 'week'), auto.format(0, 'second'), short.format(-3, 'hour'), short.format(5, 'minutes'), rtf.format(1500, 'day'));
      return out;`;
    expect(await guestValue(`const { Intl } = lib('intl');\n` + script)).toEqual((new Function(script) as () => unknown)());
  });

  // The wiring proposed for bootstrap.js (lazy: nothing is parsed until a locale method is called).
  const INSTALL = `const method = (proto, name, helper) => Object.defineProperty(proto, name, { configurable: true, writable: true,
      value: { [name](locales, options) { return lib('intl')[helper](this, locales, options); } }[name] });
    method(Number.prototype, 'toLocaleString', 'numberToLocaleString'); method(BigInt.prototype, 'toLocaleString', 'numberToLocaleString');
    method(Date.prototype, 'toLocaleString', 'dateToLocaleString'); method(Date.prototype, 'toLocaleDateString', 'dateToLocaleDateString');
    method(Date.prototype, 'toLocaleTimeString', 'dateToLocaleTimeString');
    Object.defineProperty(String.prototype, 'localeCompare', { configurable: true, writable: true,
      value: { localeCompare(that, locales, options) { return lib('intl').localeCompare(String(this), String(that), locales, options); } }.localeCompare });`;

  it('as installed on the prototypes, toLocaleString and friends print what Node prints', async () => {
    const script = `const d = new Date(951829509000);
      return [(1234567.891).toLocaleString(), (0.256).toLocaleString('en-US', { style: 'percent' }), (1234.5).toLocaleString('de-DE', { style: 'currency', currency: 'EUR' }),
        12345678901234567890n.toLocaleString('en-US'), [1234, 5678.9].toLocaleString('en-US'), d.toLocaleDateString('en-US', { timeZone: 'UTC', dateStyle: 'long' }),
        d.toLocaleTimeString('en-US', { timeZone: 'UTC' }), d.toLocaleString('en-GB', { timeZone: 'UTC' }), ['b', 'a', 'C', 'ä'].sort((x, y) => x.localeCompare(y)),
        ['item10', 'item9'].sort((x, y) => x.localeCompare(y, undefined, { numeric: true }))];`;
    expect(await guestValue(INSTALL + '\n' + script)).toEqual((new Function(script) as () => unknown)());
  });

  it('provides toLocaleString helpers with Node semantics', async () => {
    const got = await guestValue(`const intl = lib('intl'); const d = new Date(951829509000);
      return [intl.numberToLocaleString(1234567.891), intl.numberToLocaleString(0.5, 'de-DE', { style: 'percent' }), intl.dateToLocaleString(d, 'en-US', { timeZone: 'UTC' }),
        intl.dateToLocaleDateString(d, 'en-US', { timeZone: 'UTC' }), intl.dateToLocaleTimeString(d, 'en-US', { timeZone: 'UTC' }), intl.dateToLocaleDateString(d, 'en-US', { timeZone: 'UTC', month: 'long' }),
        intl.dateToLocaleString(new Date(NaN)), intl.localeCompare('a', 'B')];`);
    const d = new Date(951829509000);
    expect(got).toEqual([(1234567.891).toLocaleString('en-US'), (0.5).toLocaleString('de-DE', { style: 'percent' }), d.toLocaleString('en-US', { timeZone: 'UTC' }),
      d.toLocaleDateString('en-US', { timeZone: 'UTC' }), d.toLocaleTimeString('en-US', { timeZone: 'UTC' }), d.toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long' }),
      'Invalid Date', 'a'.localeCompare('B', 'en')]);
  });
});
