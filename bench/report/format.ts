/** Number formatting shared by the table and the chart. */
import type { Unit } from '../model.js';

/** Three significant-ish figures: 0.123, 12.3, 1234. */
export function num(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 100) return Math.round(x).toString();
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

export function withUnit(x: number, unit: Unit): string {
  return `${num(x)} ${unit}`;
}

export function ratioText(value: number): string {
  return value >= 100 ? `${Math.round(value)}x` : `${num(value)}x`;
}
