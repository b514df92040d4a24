/**
 * Dify-style input coercion (`coerce: true`), guided by `input_schema`: workflow builders pass every
 * form field as a string, and the code wants the declared type. Before validation, where the schema
 * declares a type the value does not have:
 *   "42" -> 42 (number, integer), "true"/"false" -> boolean, 7 -> "7" (string),
 *   '["a","b"]' or "a, b" -> ["a", "b"] (array; items coerced in turn), '{"a":1}' -> {a: 1} (object),
 *   a URL or a Dify file object -> { name, url, mime_type } where the schema says `"format": "file"`.
 * Anything that does not convert cleanly is left as it is, for the schema to refuse with its pointer.
 * Only `properties`, `additionalProperties`, `items` and `prefixItems` are followed (not `$ref` or the
 * combinators), so the walk is as deep as the schema, which is capped. Portable.
 */

type Schema = Record<string, unknown>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function typesOf(schema: Schema): string[] {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value` coerced toward `schema` (a new value where anything changed; the input is not modified). */
export function coerceToSchema(value: unknown, schema: unknown): unknown {
  if (!isSchema(schema)) return value;
  if (schema['format'] === 'file') return toFile(value);
  const types = typesOf(schema);
  let coerced = types.length > 0 && !types.includes(jsonType(value)) && !(types.includes('number') && jsonType(value) === 'integer') ? convert(value, types) : value;
  if (Array.isArray(coerced)) coerced = coerceItems(coerced, schema);
  else if (isSchema(coerced)) coerced = coerceProperties(coerced, schema);
  return coerced;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The first declared type the value converts to, in the schema's order; else the value unchanged. */
function convert(value: unknown, types: string[]): unknown {
  for (const type of types) {
    const converted = convertTo(value, type);
    if (converted !== undefined) return converted;
  }
  return value;
}

function convertTo(value: unknown, type: string): unknown {
  if (typeof value === 'string') {
    const text = value.trim();
    switch (type) {
      case 'integer':
      case 'number': {
        if (!NUMBER.test(text)) return undefined;
        const number = Number(text);
        if (!Number.isFinite(number) || (type === 'integer' && !Number.isInteger(number))) return undefined;
        return number;
      }
      case 'boolean': {
        const lower = text.toLowerCase();
        return lower === 'true' ? true : lower === 'false' ? false : undefined;
      }
      case 'array': {
        if (text === '') return [];
        if (text.startsWith('[')) {
          const parsed = parseJson(text);
          return Array.isArray(parsed) ? parsed : undefined;
        }
        return text.split(',').map((part) => part.trim());
      }
      case 'object': {
        const parsed = text.startsWith('{') ? parseJson(text) : undefined;
        return isSchema(parsed) ? parsed : undefined;
      }
      case 'null':
        return text === '' || text === 'null' ? null : undefined;
      default:
        return undefined;
    }
  }
  if (type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  // A single value where a list is declared (Dify's one-element array inputs).
  if (type === 'array' && value !== null && typeof value !== 'object') return [value];
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function coerceItems(array: unknown[], schema: Schema): unknown[] {
  const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as unknown[]) : [];
  const items = schema['items'];
  if (prefix.length === 0 && !isSchema(items)) return array;
  return array.map((item, index) => coerceToSchema(item, index < prefix.length ? prefix[index] : items));
}

function coerceProperties(record: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const additional = schema['additionalProperties'];
  if (Object.keys(properties).length === 0 && !isSchema(additional)) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const own = Object.hasOwn(properties, key) ? properties[key] : additional;
    out[key] = coerceToSchema(value, own);
  }
  return out;
}

/** A file reference in one shape, `{ name, url, mime_type }`, from a URL or a Dify file object. */
function toFile(value: unknown): unknown {
  if (typeof value === 'string') {
    const url = value.trim();
    const name = nameOfUrl(url);
    return { name, url, mime_type: mimeOf(name) };
  }
  if (!isSchema(value)) return value;
  // Dify's file variables carry filename, url or remote_url, mime_type (and much else we drop).
  const url = stringField(value, 'url') ?? stringField(value, 'remote_url');
  const name = stringField(value, 'name') ?? stringField(value, 'filename') ?? (url ? nameOfUrl(url) : undefined);
  if (url === undefined && name === undefined) return value;
  const mime = stringField(value, 'mime_type') ?? stringField(value, 'mimeType') ?? (name ? mimeOf(name) : 'application/octet-stream');
  return { name: name ?? '', url: url ?? '', mime_type: mime };
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nameOfUrl(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

const MIME_BY_EXTENSION: Record<string, string> = {
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  gif: 'image/gif',
  htm: 'text/html',
  html: 'text/html',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  json: 'application/json',
  md: 'text/markdown',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  png: 'image/png',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  wav: 'audio/wav',
  webp: 'image/webp',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml',
  zip: 'application/zip',
};

function mimeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}
