/**
 * Read a response body into memory under a byte cap, decoding gzip/deflate/br the way `fetch` and
 * `requests` do so guest shims see plain bytes. The cap counts DECODED bytes, so a small compressed
 * bomb stops at the cap like any other oversized body; reading stops (and the socket is destroyed)
 * the moment the cap is crossed.
 */
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export type BodyResult =
  | { ok: true; bytes: Uint8Array; decoded: boolean }
  | { ok: false; kind: 'too_large' | 'network' | 'timeout'; reason: string };

function decoderFor(contentEncoding: string | undefined): Transform | undefined {
  switch (contentEncoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

export interface ReadBodyOptions {
  contentEncoding: string | undefined;
  /** False for HEAD, 204 and 304, whose bodies are empty whatever the headers say. */
  decode: boolean;
  maxBytes: number;
  signal: AbortSignal;
}

/** Drop a body we will not read. undici reports the abort as an 'error' event, which is expected here. */
export function discardBody(body: Readable): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}

export async function readBody(body: Readable, options: ReadBodyOptions): Promise<BodyResult> {
  const decoder = options.decode ? decoderFor(options.contentEncoding) : undefined;
  let source: Readable = body;
  if (decoder) {
    body.on('error', (error) => decoder.destroy(error));
    source = body.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      total += buffer.byteLength;
      if (total > options.maxBytes) {
        return { ok: false, kind: 'too_large', reason: `response body exceeds ${options.maxBytes} bytes` };
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (options.signal.aborted) return { ok: false, kind: 'timeout', reason: 'timed out while reading the response body' };
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'EBODY';
    const what = decoder && code.startsWith('Z_') ? `invalid ${options.contentEncoding} body` : 'response body failed';
    return { ok: false, kind: 'network', reason: `${what} (${code})` };
  } finally {
    // Early return (cap) or error: release the socket now rather than draining an unwanted body.
    if (!body.readableEnded) discardBody(body);
    decoder?.destroy();
  }
  // A fresh, unpooled array: the caller may transfer its buffer to a worker.
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes, decoded: decoder !== undefined };
}
