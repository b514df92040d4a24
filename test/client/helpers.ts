// Shared by the client tests: a real Isola server (engine + HTTP face) on 127.0.0.1, port 0, for one
// describe block, and a tiny real front server that refuses a scripted number of times before proxying.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine, EngineOptions } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';

export interface TestServer {
  url: string;
  /** "METHOD /path status" of every answered request, in order. */
  seen: string[];
}

/** Only the QuickJS lane, started on first use: enough for tests that never run Python. */
export const JS_ONLY: EngineOptions = { workers: { quickjs: 1, cpython: 0, native: 0 } };

export function useServer(engineOptions: EngineOptions = JS_ONLY): () => TestServer {
  let engine: Engine | undefined;
  let app: ReturnType<typeof buildApp> | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    engine = await createEngine(engineOptions);
    app = buildApp({ engine, docs: false });
    const seen: string[] = [];
    app.addHook('onResponse', async (request, reply) => {
      seen.push(`${request.method} ${request.url.split('?')[0]} ${reply.statusCode}`);
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    server = { url, seen };
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });
  return () => {
    if (!server) throw new Error('the server is not started yet');
    return server;
  };
}

/** What the front answers instead of proxying, one entry per request, in order. */
export interface ScriptedAnswer {
  status: number;
  /** A function is called when the answer is sent (for an HTTP date relative to that moment). */
  headers?: Record<string, string> | (() => Record<string, string>);
  body: string;
}

export interface FrontServer {
  url: string;
  /** Requests that reached the front, refused or proxied. */
  count(): number;
  close(): Promise<void>;
}

/**
 * A real HTTP server that answers the scripted answers first (a 503 with Retry-After, a proxy's HTML
 * 502, ...) and then proxies every further request to `target`, the real Isola server.
 */
export async function startFront(target: string, script: ScriptedAnswer[]): Promise<FrontServer> {
  const pending = [...script];
  let count = 0;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    count++;
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const scripted = pending.shift();
      if (scripted) {
        const headers = typeof scripted.headers === 'function' ? scripted.headers() : scripted.headers;
        response.writeHead(scripted.status, { 'content-type': 'application/json', ...headers });
        response.end(scripted.body);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
      }
      const body = Buffer.concat(chunks);
      const answer = await fetch(`${target}${request.url}`, { method: request.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      response.writeHead(599);
      response.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}
