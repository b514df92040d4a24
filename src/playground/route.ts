/**
 * GET /playground: a page to try the service from a browser (see web/main.ts). The bundle is built by
 * `npm run build` into dist/playground/ and read once here; the page and its files are served with a
 * CSP that allows only this origin, so a shared link cannot pull in anything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import { packageRoot } from '../engine/package-root.js';
import { playgroundHtml } from './page.js';

// CodeMirror injects its styles at run time, hence 'unsafe-inline' for styles only.
const CSP = [
  "default-src 'none'",
  // 'wasm-unsafe-eval': the "run in this browser" mode compiles QuickJS's Wasm module (isola/edge).
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Bundle {
  script: Buffer;
  styles: Buffer;
  /** isola/edge's files (dist/edge/), for the page's "run in this browser" mode. */
  edge: Map<string, { bytes: Buffer; type: string }>;
}

const EDGE_FILES: Record<string, string> = {
  'isola-edge.js': 'text/javascript; charset=utf-8',
  'quickjs-worker.js': 'text/javascript; charset=utf-8',
  'quickjs.wasm': 'application/wasm',
};

function readBundle(): Bundle | undefined {
  const dist = join(packageRoot(), 'dist');
  try {
    const edge = new Map(Object.entries(EDGE_FILES).map(([name, type]) => [name, { bytes: readFileSync(join(dist, 'edge', name)), type }]));
    return { script: readFileSync(join(dist, 'playground', 'app.js')), styles: readFileSync(join(dist, 'playground', 'app.css')), edge };
  } catch {
    return undefined;
  }
}

export function registerPlayground(app: FastifyInstance, version: string): void {
  const bundle = readBundle();
  const html = playgroundHtml(version);
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/playground')) return;
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  const notBuilt = () => new IsolaError('not_found', 'The playground is not built: run `npm run build` (it bundles dist/playground/)');
  app.get('/playground', async (_request, reply) => {
    if (!bundle) throw notBuilt();
    return reply.type('text/html; charset=utf-8').send(html);
  });
  app.get('/playground/app.js', async (_request, reply) => {
    if (!bundle) throw notBuilt();
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(bundle.script);
  });
  app.get('/playground/app.css', async (_request, reply) => {
    if (!bundle) throw notBuilt();
    return reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(bundle.styles);
  });
  app.get<{ Params: { file: string } }>('/playground/edge/:file', async (request, reply) => {
    if (!bundle) throw notBuilt();
    const file = bundle.edge.get(request.params.file);
    if (!file) throw new IsolaError('not_found', `No playground file ${request.params.file}`);
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.bytes);
  });
}
