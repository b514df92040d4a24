/** Hard limits of the v1 contract. Shared by the schema, the HTTP body limit and the docs. */
export const MIB = 1024 * 1024;

export const LIMITS = {
  codeBytes: 2 * MIB,
  inputsBytes: 10 * MIB,
  timeoutMs: { min: 1, max: 600_000, default: 10_000 },
  memoryMb: { min: 16, max: 4096, default: 256 },
  packages: { max: 64, specChars: 256 },
  allowHosts: { max: 64, entryChars: 260 },
  prebuildBytes: 256 * 1024,
  /** Default caps of captured stdout and stderr, each; operators may change them. */
  streamBytes: 1 * MIB,
  /** Default cap of the serialized output value (main() return or output.json). */
  outputBytes: 10 * MIB,
} as const;

/** Largest JSON body the HTTP face accepts before parsing: code and inputs at their caps plus slack. */
export const MAX_BODY_BYTES = LIMITS.codeBytes * 6 + LIMITS.inputsBytes + LIMITS.prebuildBytes * 6 + MIB;

const encoder = new TextEncoder();
/** UTF-8 byte length without allocating a copy for ASCII-only strings. */
export function utf8Length(text: string): number {
  // Fast path: most code is ASCII, where length equals bytes.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : encoder.encode(text).byteLength;
}
