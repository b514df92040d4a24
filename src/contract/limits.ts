/**
 * Fixed limits of the v1 contract, shared by the schema and the docs. The ones an operator sets (the
 * longest timeout, the largest code and inputs) are in operator-limits.ts.
 */
export const MIB = 1024 * 1024;

export const LIMITS = {
  timeoutMs: { min: 1 },
  memoryMb: { min: 16, max: 4096, default: 256 },
  packages: { max: 64, specChars: 256 },
  allowHosts: { max: 64, entryChars: 260 },
  prebuildBytes: 256 * 1024,
  /** Largest uploaded WASI module (`module: { id }`) the engine reads from its blob store (CRuby's is 32 MiB). */
  wasmModuleBytes: 64 * MIB,
  /** Default caps of captured stdout and stderr, each; operators may change them. */
  streamBytes: 1 * MIB,
  /** Default cap of the serialized output value (main() return or output.json). */
  outputBytes: 10 * MIB,
  /**
   * Deepest nesting of arrays/objects in `inputs` and in an output value (the value itself is level 1).
   * 1,000 is what every lane's guest JSON round-trips without exhausting its own stack (Python's json
   * and QuickJS's JSON.stringify fail a little past 2,000), and what V8's recursive JSON.stringify on
   * the host serialises with room to spare when the HTTP face writes the response. Deeper inputs are a
   * 400 naming the field; a deeper output is the result `invalid_output`.
   */
  jsonDepth: 1000,
  /**
   * Deepest nesting of brackets ( [ { counted over the source of a JavaScript/TypeScript request, before
   * the transpiler or the parser sees it: esbuild's parser recurses per level and its service process
   * dies between 100,000 and 500,000 levels. No hand-written or generated code comes near 10,000.
   */
  sourceNesting: 10_000,
} as const;

/**
 * UTF-8 byte length of a string without encoding it (what Buffer.byteLength and TextEncoder report; a
 * lone surrogate counts as the 3 bytes of U+FFFD it encodes to). Portable, so the contract and the
 * envelope can count bytes without `node:buffer`.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
