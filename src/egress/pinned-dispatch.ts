/**
 * Send one HTTP request to an address the gate already checked, never to a name.
 *
 * The request's origin is the checked IP itself, so undici and Node have nothing left to resolve: a
 * DNS answer that changes between check and connect (rebinding) cannot redirect the connection. The
 * name travels only where it belongs: the Host header and, for HTTPS, SNI and certificate checking
 * (undici derives the TLS servername from the Host header and reconnects when it changes).
 * Connections are pooled per address and port by one shared undici Agent.
 */
import { Agent, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import type { ResolvedAddress } from './resolve.js';
import { hostHeader } from './target.js';
import type { EgressTarget } from './target.js';
import type { HeaderList } from './headers.js';

export interface PinnedDispatcherOptions {
  /** Trusted CAs for HTTPS, replacing Node's default list (private PKI, tests). */
  ca?: string | Buffer | (string | Buffer)[];
  connectTimeoutMs?: number;
}

export interface PinnedRequest {
  target: EgressTarget;
  addresses: readonly ResolvedAddress[];
  method: string;
  headers: HeaderList;
  body: Uint8Array | undefined;
  signal: AbortSignal;
}

export type DispatchResult =
  | { ok: true; response: Dispatcher.ResponseData; address: string }
  | { ok: false; kind: 'network' | 'timeout'; reason: string };

/** Errors where nothing reached the server, so trying the next address cannot repeat a request. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof undiciErrors.UndiciError ? error.name : 'ENETWORK';
}

export interface PinnedDispatcher {
  send(request: PinnedRequest): Promise<DispatchResult>;
  close(): Promise<void>;
}

export function createPinnedDispatcher(options: PinnedDispatcherOptions = {}): PinnedDispatcher {
  const connect: Record<string, unknown> = { timeout: options.connectTimeoutMs ?? 10_000 };
  if (options.ca !== undefined) connect.ca = options.ca;
  const agent = new Agent({ connect, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000 });

  return {
    async send({ target, addresses, method, headers, body, signal }) {
      const flat: string[] = ['host', hostHeader(target)];
      for (const [name, value] of headers) flat.push(name, value);
      let lastReason = 'no address to connect to';
      for (const { address, family } of addresses) {
        const origin = `${target.scheme}://${family === 6 ? `[${address}]` : address}:${target.port}`;
        try {
          const response = await agent.request({
            origin,
            path: `${target.url.pathname}${target.url.search}`,
            method,
            headers: flat,
            body: body === undefined ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            signal,
          });
          return { ok: true, response, address };
        } catch (error) {
          if (signal.aborted) return { ok: false, kind: 'timeout', reason: 'timed out' };
          const code = errorCode(error);
          lastReason = `connection to ${address} failed (${code})`;
          if (!CONNECT_FAILURES.has(code)) break;
        }
      }
      return { ok: false, kind: 'network', reason: lastReason };
    },
    async close() {
      await agent.close();
    },
  };
}
