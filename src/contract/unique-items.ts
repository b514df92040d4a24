/**
 * JSON Schema's uniqueItems in linear time, for both validators: ajv and @cfworker/json-schema compare
 * items pairwise (a 100,000-item array is 5e9 comparisons, deep ones for objects), so a request could
 * stall the host with one array. Items are keyed by a canonical JSON text (keys sorted), which is
 * equality in JSON's data model. Portable.
 */

/** The indexes of the first item that repeats an earlier one, [earlier, later], or undefined. */
export function firstDuplicate(items: readonly unknown[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = canonicalJson(items[i]);
    const first = seen.get(key);
    if (first !== undefined) return [first, i];
    seen.set(key, i);
  }
  return undefined;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
