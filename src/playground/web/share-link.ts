/**
 * The playground's shareable link: the request as JSON, UTF-8, base64url, in the URL fragment (`#r=...`),
 * so it never reaches a server log. Decoding treats the fragment as hostile: bad base64, bad JSON or a
 * non-object gives `undefined`, and only the fields the form knows are kept, with their types checked.
 */
export interface PlaygroundRequest {
  language: 'javascript' | 'typescript' | 'python';
  code: string;
  inputs: string;
  packages: string;
  timeout_ms: number;
  memory_mb: number;
  runtime: 'auto' | 'wasm' | 'native';
}

const LANGUAGES = ['javascript', 'typescript', 'python'] as const;
const RUNTIMES = ['auto', 'wasm', 'native'] as const;
/** A link longer than this is not decoded (browsers cap URLs near 2 MB anyway). */
const MAX_FRAGMENT_CHARS = 1_000_000;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function encodeShareFragment(request: PlaygroundRequest): string {
  return `r=${toBase64Url(new TextEncoder().encode(JSON.stringify(request)))}`;
}

function pick<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((option) => option === value);
}

export function decodeShareFragment(fragment: string, defaults: PlaygroundRequest): PlaygroundRequest | undefined {
  const encoded = /^#?r=([A-Za-z0-9_-]+)$/.exec(fragment)?.[1];
  if (encoded === undefined || encoded.length > MAX_FRAGMENT_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(encoded)));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const text = (key: keyof PlaygroundRequest, fallback: string) => (typeof v[key] === 'string' ? (v[key] as string) : fallback);
  const count = (key: keyof PlaygroundRequest, fallback: number) => (Number.isSafeInteger(v[key]) ? (v[key] as number) : fallback);
  return {
    language: pick(v['language'], LANGUAGES) ?? defaults.language,
    code: text('code', defaults.code),
    inputs: text('inputs', defaults.inputs),
    packages: text('packages', defaults.packages),
    timeout_ms: count('timeout_ms', defaults.timeout_ms),
    memory_mb: count('memory_mb', defaults.memory_mb),
    runtime: pick(v['runtime'], RUNTIMES) ?? defaults.runtime,
  };
}
