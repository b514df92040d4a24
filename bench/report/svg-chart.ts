/**
 * A hand-written SVG bar chart: one panel per compared group (scenario, language, variant), a bar per
 * subject at its median with a tick at its p95, each panel on its own linear scale because units differ.
 */
import { ISOLA, higherIsBetter, type Measurement } from '../model.js';
import { orderRows } from './compare.js';
import { num } from './format.js';

const WIDTH = 900;
const LABEL = 190;
const BAR_AREA = 560;
const BAR = 14;
const ROW = 20;
const HEAD = 26;
const GAP = 10;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function panel(group: readonly Measurement[], top: number): { svg: string[]; height: number } {
  const first = group[0] as Measurement;
  const better = higherIsBetter(first.unit) ? 'higher is better' : 'lower is better';
  const title = `${first.scenario} · ${first.language}${first.variant ? ` · ${first.variant}` : ''} (${first.unit}, ${better})`;
  // Scaled to the largest median: one outlier's p95 must not squash every bar; its tick is clamped instead.
  const max = Math.max(...group.flatMap((m) => (m.stats ? [m.stats.median] : [])), 1e-9);
  const scale = (x: number): number => Math.min(BAR_AREA + 20, Math.max(1, (x / max) * BAR_AREA));
  const out = [`<text x="8" y="${top + 17}" class="title">${esc(title)}</text>`];
  group.forEach((m, i) => {
    const y = top + HEAD + i * ROW;
    out.push(`<text x="${LABEL - 6}" y="${y + 11}" class="label" text-anchor="end">${esc(m.subject)}</text>`);
    if (!m.stats) {
      out.push(`<text x="${LABEL}" y="${y + 11}" class="skip">${esc(`${m.status}: ${m.note ?? ''}`.slice(0, 90))}</text>`);
      return;
    }
    const w = scale(m.stats.median);
    const p95 = LABEL + scale(m.stats.p95);
    // A p95 beyond the panel's scale is drawn dashed at the edge: "further out than shown".
    const clamped = (m.stats.p95 / max) * BAR_AREA > BAR_AREA + 20;
    out.push(`<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" class="${m.subject === ISOLA ? 'isola' : 'peer'}"/>`);
    out.push(`<line x1="${p95.toFixed(1)}" x2="${p95.toFixed(1)}" y1="${y - 1}" y2="${y + BAR + 1}" class="p95${clamped ? ' clamped' : ''}"/>`);
    out.push(`<text x="${(Math.max(LABEL + w, p95) + 6).toFixed(1)}" y="${y + 11}" class="value">${esc(`${num(m.stats.median)} (p95 ${num(m.stats.p95)})`)}</text>`);
  });
  return { svg: out, height: HEAD + group.length * ROW + GAP };
}

export function renderSvg(rows: readonly Measurement[], caption: string): string {
  const parts: string[] = [];
  let y = 34;
  for (const group of orderRows(rows)) {
    const { svg, height } = panel(group, y);
    parts.push(...svg);
    y += height;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    '<style>.title{font-size:13px;font-weight:600;fill:#111}.label{font-size:12px;fill:#333}.value{font-size:11px;fill:#333}' +
      '.skip{font-size:11px;fill:#999;font-style:italic}.isola{fill:#2563eb}.peer{fill:#9ca3af}.p95{stroke:#111;stroke-width:1.5}.clamped{stroke-dasharray:2 2}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="700">${esc(caption)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
