/**
 * What one item's execute() returned, turned into output items on ports. The guest reports
 * `{"value", "ports"}` (lane.ts BatchItemJob); this is the one place that decides what it means, for
 * every lane, and the guest's report is parsed here as untrusted data:
 * - `value` null (nothing returned, undefined, None) or an empty array: no item on `main`;
 * - a non-empty array: one item per element (fan-out);
 * - an item-shaped object `{json, binary?}`: that item, as given (explicit control, binary included);
 * - any other JSON value: the item's json is replaced, its binary attachments kept.
 * Items ctx.emitPorts sent to a port come in the order they were emitted; on `main`, before the return
 * value's. Every output item carries `paired: {item: <input index>}`. Portable.
 */
import { BinaryRefSchema, ITEM_LIMITS, NAME_PATTERN, type OutputItem } from '../../contract/items.js';

export type ItemPorts = Record<string, OutputItem[]>;

type Binary = NonNullable<OutputItem['binary']>;

export class ItemOutputError extends Error {
  override readonly name = 'ItemOutputError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const ITEM_KEYS = new Set(['json', 'binary', 'paired']);

/** `{json}` or `{json, binary}` (a `paired` the code set is replaced by the true one). */
function isItemShaped(value: unknown): value is { json: unknown; binary?: unknown } {
  return isObject(value) && Object.hasOwn(value, 'json') && Object.keys(value).every((key) => ITEM_KEYS.has(key));
}

function binaryOf(value: unknown, path: string): Binary | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ItemOutputError(`${path}: must be an object of attachments by name`);
  const entries = Object.entries(value);
  if (entries.length > ITEM_LIMITS.binaryPerItem) throw new ItemOutputError(`${path}: more than ${ITEM_LIMITS.binaryPerItem} attachments`);
  const binary: Binary = {};
  for (const [name, ref] of entries) {
    if (name.length > ITEM_LIMITS.nameChars || !NAME_PATTERN.test(name)) throw new ItemOutputError(`${path}: ${JSON.stringify(name.slice(0, 40))} is not an attachment name (letters, digits, _ . -)`);
    const parsed = BinaryRefSchema.safeParse(ref);
    if (!parsed.success) throw new ItemOutputError(`${path}.${name}: must be a blob reference {id, mime_type?, filename?, size?}`);
    binary[name] = parsed.data;
  }
  return entries.length > 0 ? binary : undefined;
}

export function outputItemsOf(returnJson: string, index: number, input: { binary?: Binary }): ItemPorts {
  let report: unknown;
  try {
    report = JSON.parse(returnJson);
  } catch (error) {
    throw new ItemOutputError(`the item's result is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(report)) throw new ItemOutputError("the item's result is not an object");
  const paired = { item: index };
  const toItem = (value: unknown, path: string): OutputItem => {
    if (isItemShaped(value)) {
      const binary = binaryOf(value.binary, `${path}.binary`);
      return { json: value.json, ...(binary ? { binary } : {}), paired };
    }
    return { json: value, ...(input.binary ? { binary: input.binary } : {}), paired };
  };
  const ports: ItemPorts = {};
  const emitted = report['ports'];
  if (emitted !== undefined && emitted !== null) {
    if (!isObject(emitted)) throw new ItemOutputError('ctx.emitPorts: takes an object of item arrays by port name');
    const names = Object.keys(emitted);
    if (names.length > ITEM_LIMITS.ports) throw new ItemOutputError(`ctx.emitPorts: more than ${ITEM_LIMITS.ports} ports`);
    for (const name of names) {
      if (name.length > ITEM_LIMITS.nameChars || !NAME_PATTERN.test(name)) throw new ItemOutputError(`ctx.emitPorts: ${JSON.stringify(name.slice(0, 40))} is not a port name (letters, digits, _ . -)`);
      const list = emitted[name];
      if (!Array.isArray(list)) throw new ItemOutputError(`ctx.emitPorts: port ${name} must be an array of items`);
      ports[name] = list.map((value, at) => toItem(value, `ports.${name}[${at}]`));
    }
  }
  const value = report['value'];
  if (value !== null && value !== undefined) {
    const returned = Array.isArray(value) ? value.map((element, at) => toItem(element, `output[${at}]`)) : [toItem(value, 'output')];
    ports['main'] = [...(ports['main'] ?? []), ...returned];
  }
  return ports;
}
