/** The printed table: a Markdown table, so the same text reads in a terminal and pastes into a README. */
import { meetsTarget } from '../targets.js';
import type { Measurement } from '../model.js';
import { orderRows, ratioFor } from './compare.js';
import { num, ratioText } from './format.js';

const HEADER = ['scenario', 'lang', 'subject', 'variant', 'unit', 'n', 'median', 'p95', 'IQR', 'min-max', 'target', 'isola/peer', 'notes'];

function cells(m: Measurement, group: readonly Measurement[]): string[] {
  const s = m.stats;
  const ratio = ratioFor(m, group);
  const target = m.target && s ? `${m.target.op} ${num(m.target.value)} ${meetsTarget(m.target, s.median) ? 'met' : 'MISSED'}` : m.target ? `${m.target.op} ${num(m.target.value)}` : '';
  const note = m.status === 'ok' ? (m.note ?? '') : `${m.status}: ${m.note ?? ''}`;
  return [
    m.scenario,
    m.language === 'javascript' ? 'js' : 'py',
    m.subject,
    m.variant,
    m.unit,
    s ? String(s.n) : '0',
    s ? num(s.median) : '-',
    s ? num(s.p95) : '-',
    s ? `${num(s.q1)}-${num(s.q3)}` : '-',
    s ? `${num(s.min)}-${num(s.max)}` : '-',
    target,
    ratio ? `${ratioText(ratio.value)} (${ratio.isolaBetter ? 'isola better' : 'isola worse'})` : '',
    note.replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 160),
  ];
}

export function renderTable(rows: readonly Measurement[]): string {
  const body = orderRows(rows).flatMap((group) => group.map((m) => cells(m, group)));
  const all = [HEADER, ...body];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}
