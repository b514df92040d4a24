/** Grouping rows for the report and computing Isola/peer ratios. */
import { ISOLA, higherIsBetter, type Measurement } from '../model.js';

/** Rows that are compared with each other: one scenario, language, variant and unit. */
export function groupKey(m: Measurement): string {
  return `${m.scenario}\u0000${m.language}\u0000${m.variant}\u0000${m.unit}`;
}

const VARIANT_ORDER = ['', 'first build', 'cached run'];

/** Rows ordered by scenario (as run), language, variant, then Isola before its peers. */
export function orderRows(rows: readonly Measurement[]): Measurement[][] {
  const groups = new Map<string, Measurement[]>();
  for (const m of rows) {
    const key = groupKey(m);
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  const scenarioOrder = [...new Set(rows.map((m) => m.scenario))];
  const rank = (g: Measurement[]): [number, number, number, number] => {
    const m = g[0] as Measurement;
    const v = VARIANT_ORDER.indexOf(m.variant);
    return [scenarioOrder.indexOf(m.scenario), m.language === 'python' ? 0 : 1, v === -1 ? VARIANT_ORDER.length : v, rows.indexOf(m)];
  };
  return [...groups.values()]
    .map((g) => [...g].sort((a, b) => Number(b.subject === ISOLA) - Number(a.subject === ISOLA)))
    .sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
      return 0;
    });
}

export interface Ratio {
  /** Isola's median divided by the peer's. */
  value: number;
  /** Whether that ratio favours Isola (lower time/memory, higher throughput). */
  isolaBetter: boolean;
}

/** Isola/peer ratio for a peer row, when both have a median in the same group. */
export function ratioFor(peer: Measurement, group: readonly Measurement[]): Ratio | undefined {
  if (peer.subject === ISOLA || !peer.stats) return undefined;
  const isola = group.find((m) => m.subject === ISOLA && m.stats);
  if (!isola?.stats || peer.stats.median === 0) return undefined;
  const value = isola.stats.median / peer.stats.median;
  return { value, isolaBetter: higherIsBetter(peer.unit) ? value > 1 : value < 1 };
}
