/**
 * The short table for a README: one line per comparison with Isola's median, its target and every
 * peer's median with the Isola/peer ratio. The full table keeps the spread and the notes.
 */
import { ISOLA, type Measurement } from '../model.js';
import { meetsTarget } from '../targets.js';
import { orderRows, ratioFor } from './compare.js';
import { num, ratioText } from './format.js';

const HEADER = ['scenario', 'lang', 'variant', 'isola (median)', 'target', 'peers: median (isola/peer)'];

export function renderSummary(rows: readonly Measurement[]): string {
  const lines: string[][] = [];
  for (const group of orderRows(rows)) {
    const isola = group.find((m) => m.subject === ISOLA);
    const first = group[0] as Measurement;
    const unit = first.unit;
    const isolaText = !isola ? '' : isola.stats ? `${num(isola.stats.median)} ${unit}` : isola.status;
    const target = isola?.target
      ? `${isola.target.op} ${num(isola.target.value)}${isola.stats ? (meetsTarget(isola.target, isola.stats.median) ? ' met' : ' MISSED') : ''}`
      : '';
    const peers = group
      .filter((m) => m.subject !== ISOLA && m.stats)
      .map((m) => {
        const ratio = ratioFor(m, group);
        return `${m.subject} ${num(m.stats?.median ?? 0)}${ratio ? ` (${ratioText(ratio.value)})` : ''}`;
      })
      .join(', ');
    lines.push([first.scenario, first.language === 'javascript' ? 'js' : 'py', first.variant, isolaText, target, peers]);
  }
  const widths = HEADER.map((_, i) => Math.max(...[HEADER, ...lines].map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}
