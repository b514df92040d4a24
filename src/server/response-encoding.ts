/**
 * Compressed answers: a JSON reply over 1 KiB goes out in the best coding the client's Accept-Encoding
 * allows (zstd, br, gzip, in our order of preference when it weighs them equally). Only whole bodies
 * (strings and buffers) are compressed: a stream, such as /v1/batch's NDJSON, is written as it comes, so
 * its lines still arrive as executions finish.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip, zstdCompress } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance } from 'fastify';

export const RESPONSE_ENCODINGS = ['zstd', 'br', 'gzip'] as const;
type ResponseEncoding = (typeof RESPONSE_ENCODINGS)[number];
/** Below this, a compressed body plus its header saves nothing worth the CPU. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const compressors: Record<ResponseEncoding, (body: Buffer) => Promise<Buffer>> = {
  zstd: (body) => promisify(zstdCompress)(body),
  // Quality 4, not Brotli's default 11, which costs seconds on a 10 MiB envelope.
  br: (body) => promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => promisify(gzip)(body),
};

export function registerResponseEncoding(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const accept = request.headers['accept-encoding'];
    if (accept === undefined || reply.hasHeader('content-encoding')) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length < COMPRESS_THRESHOLD_BYTES) return payload;
    const coding = negotiate(Array.isArray(accept) ? accept.join(',') : accept, [...RESPONSE_ENCODINGS]);
    if (coding === null) return payload;
    reply.header('content-encoding', coding);
    const vary = reply.getHeader('vary');
    reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
    reply.removeHeader('content-length');
    return compressors[coding](body);
  });
}
