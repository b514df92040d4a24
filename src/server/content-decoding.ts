/**
 * Compressed request bodies (`Content-Encoding: gzip | br | zstd`) on every route, decoded as they
 * arrive and counted after decoding: a body whose decoded size passes the route's body limit is a 413
 * the moment it does, and the decoder is destroyed then, so a decompression bomb (1 GiB of zeros gzipped
 * to 1 MB) costs the bytes up to the limit and nothing more. Fastify's own limit check also counts
 * decoded bytes, but it only stops listening: the decoder would inflate the whole gigabyte into nothing.
 * An encoding we do not decode is a 415 naming the header; a body that is not what it claims is a 400.
 * (@fastify/compress decodes requests too, but keeps decoding past the limit, and takes the header as
 * one coding written exactly; its global mode also misses routes added before it loads.)
 */
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createZstdDecompress } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { IsolaError } from '../contract/errors.js';

export const REQUEST_ENCODINGS = ['gzip', 'br', 'zstd'] as const;
type RequestEncoding = (typeof REQUEST_ENCODINGS)[number];

const decoders: Record<RequestEncoding, () => Transform> = {
  gzip: () => createGunzip(),
  br: () => createBrotliDecompress(),
  // A zstd frame may ask for a window of up to 2 GiB; 8 MiB (zstd's default maximum) is all any
  // ordinary encoder uses, and keeps a crafted frame from reserving the memory the body cap saves.
  zstd: () => createZstdDecompress({ params: { [constants.ZSTD_d_windowLogMax]: 23 } }),
};

/** The codings a Content-Encoding header lists, in order, lower-cased, without `identity`. */
export function requestCodings(header: string): string[] {
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/** Counts decoded bytes and fails the stream as soon as they pass `limit`. */
class DecodedLimit extends Transform {
  private decoded = 0;
  /** Fastify compares this with Content-Length (which counts the encoded body). */
  receivedEncodedLength = 0;

  constructor(
    private readonly limit: number,
    private readonly onOver: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.decoded += chunk.length;
    if (this.decoded > this.limit) {
      this.onOver();
      callback(
        new IsolaError('payload_too_large', 'Too large: (body)', {
          issues: [{ field: '(body)', message: `decodes to more than the limit of ${this.limit} bytes` }],
        }),
      );
      return;
    }
    callback(null, chunk);
  }
}

export function registerContentDecoding(app: FastifyInstance, defaultLimit: number): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const header = request.headers['content-encoding'];
    if (header === undefined) return payload;
    const codings = requestCodings(Array.isArray(header) ? header.join(',') : header);
    if (codings.length === 0) return payload;
    const coding = codings[0]!;
    if (codings.length > 1 || !(REQUEST_ENCODINGS as readonly string[]).includes(coding)) {
      throw new IsolaError('unsupported_media_type', `Content-Encoding ${JSON.stringify(header)} is not supported`, {
        issues: [{ field: '(content-encoding)', message: `must be one of ${REQUEST_ENCODINGS.join(', ')} (or identity), got ${JSON.stringify(header)}` }],
      });
    }
    const limit = request.routeOptions.bodyLimit ?? defaultLimit;
    const decoder = decoders[coding as RequestEncoding]();
    const counted = new DecodedLimit(limit, () => {
      // Stop inflating now: the rest of the body is never decoded.
      payload.unpipe(decoder);
      decoder.destroy();
    });
    payload.on('data', (chunk: Buffer) => {
      counted.receivedEncodedLength += chunk.length;
    });
    decoder.on('error', (error) => {
      counted.destroy(
        new IsolaError('invalid_request', 'Invalid request: (body)', {
          issues: [{ field: '(body)', message: `is not valid ${coding} (Content-Encoding): ${error.message}` }],
          cause: error,
        }),
      );
    });
    // A client that hangs up mid-body fails the body, as it would uncompressed.
    payload.on('error', (error) => counted.destroy(error));
    // Fastify listens for errors only while it reads a body (not on a GET): an error then must not
    // become an uncaught exception.
    counted.on('error', () => {});
    payload.pipe(decoder).pipe(counted);
    return counted;
  });
}
