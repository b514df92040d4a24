/**
 * HTTP forward proxy for the native lane: guest processes get `HTTP_PROXY`/`HTTPS_PROXY` pointing here,
 * and the same policy as the fetch bridge applies.
 *
 * - Plain HTTP (absolute-form requests) goes through `bridge.fetch` with redirects returned, not
 *   followed: the client follows them and each hop comes back through the proxy to be checked again.
 * - CONNECT to an origin the bridge serves in-process (http://isola.internal, the service's signed
 *   downloads), which Node's fetch sends even for plain http: the tunnel leads nowhere; the proxy reads
 *   the HTTP requests inside it and passes each through `bridge.fetch`, as for absolute-form requests.
 * - CONNECT (HTTPS) asks the bridge's gate (allow-list, budget, DNS, address policy) and then opens a
 *   TCP tunnel to the checked address. The proxy never sees inside TLS, so the byte cap applies to the
 *   tunnel as a whole and the tunnel is cut at the job's deadline.
 * - Each job authenticates with a random token in the proxy URL (Proxy-Authorization: Basic); the
 *   token tells the proxy which job's allow-list and budget apply.
 *
 * The proxy only enforces anything if the guest cannot bypass it: the native lane must give the guest
 * no network of its own (a network namespace whose only way out is this proxy).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { EgressBridge } from './bridge.js';
import { describeTarget, parseTarget } from './target.js';

export interface EgressProxyOptions {
  /** Listen on a Unix socket instead of 127.0.0.1 (to bind-mount into a sandbox). */
  socketPath?: string;
  /** `host:port` the guest reaches the proxy at, when it differs from where it listens. */
  advertise?: string;
  /** Largest request body accepted for plain HTTP (default 10 MiB). */
  maxRequestBodyBytes?: number;
}

export interface EgressProxy {
  /** Proxy URL with the job's token (register on first call; same token for later calls). */
  url(jobId: string, allowHosts: readonly string[], deadline?: number): string;
  /** Forget the job's token and cut its open tunnels. */
  release(jobId: string): void;
  /** Stop listening and cut every tunnel. Idempotent. */
  close(): Promise<void>;
  /** Where the proxy listens: `127.0.0.1:<port>` or the socket path. */
  readonly address: string;
}

interface JobEntry {
  jobId: string;
  token: string;
  allowHosts: readonly string[];
  deadline: number;
  tunnels: Set<Socket>;
}

const DEFAULT_TUNNEL_MS = 30_000;
const AUTHORITY = /^(?:[^\s/\\@?#:[\]]+|\[[0-9a-fA-F:.]+\]):\d{1,5}$/;

function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['proxy-authorization'];
  const match = header === undefined ? null : /^basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

async function readRequestBody(req: IncomingMessage, max: number): Promise<Uint8Array | 'too_large'> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > max) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

const STATUS_OF = { denied: 403, network: 502, timeout: 504, too_large: 502 } as const;

export async function createEgressProxy(bridge: EgressBridge, options: EgressProxyOptions = {}): Promise<EgressProxy> {
  const maxBody = options.maxRequestBodyBytes ?? 10 * 1024 * 1024;
  const byToken = new Map<string, JobEntry>();
  const byJob = new Map<string, JobEntry>();
  /** CONNECT sockets leave the HTTP server's bookkeeping; close() must still reach them. */
  const connectSockets = new Set<Socket>();

  const authenticate = (req: IncomingMessage): JobEntry | undefined => {
    const token = tokenOf(req);
    return token === undefined ? undefined : byToken.get(token);
  };

  const refuse = (res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-isola-egress': String(status), ...extra });
    res.end(`isola egress: ${message}\n`);
  };

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const job = authenticate(req);
    if (!job) return refuse(res, 407, 'proxy authentication required', { 'proxy-authenticate': 'Basic realm="isola"' });
    const url = req.url ?? '';
    if (!/^https?:\/\//i.test(url)) return refuse(res, 400, 'absolute http(s) URL required');
    return forward(job, url, req, res);
  }

  /** A request read inside an in-process tunnel: origin-form, for the origin the CONNECT named. */
  async function onTunneledRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const tunnel = inProcessTunnels.get(req.socket);
    const path = req.url ?? '';
    if (!tunnel) return refuse(res, 500, 'internal error');
    if (!path.startsWith('/')) return refuse(res, 400, 'origin-form request required inside the tunnel');
    return forward(tunnel.job, `${tunnel.origin}${path}`, req, res);
  }

  async function forward(job: JobEntry, url: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readRequestBody(req, maxBody);
    if (body === 'too_large') return refuse(res, 413, `request body exceeds ${maxBody} bytes`);
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
    const request = { url, method: req.method ?? 'GET', headers, ...(body && body.byteLength > 0 ? { body } : {}) };
    const answer = await bridge.fetch(job.jobId, job.allowHosts, request, job.deadline, { redirect: 'manual' });
    if (!answer.ok) return refuse(res, STATUS_OF[answer.kind], `${answer.kind}: ${answer.message}`);
    // The bridge may have decoded the body, so its length is recomputed; HEAD keeps the server's.
    const out: [string, string][] = req.method === 'HEAD' ? answer.headers : answer.headers.filter(([name]) => name !== 'content-length');
    if (req.method !== 'HEAD') out.push(['content-length', String(answer.body.byteLength)]);
    if (answer.statusText) res.writeHead(answer.status, answer.statusText, out.flat());
    else res.writeHead(answer.status, out.flat());
    res.end(answer.body);
  }

  function onConnect(req: IncomingMessage, client: Socket, head: Buffer): void {
    const reply = (status: string, message: string): void => {
      client.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n${status.startsWith('407') ? 'proxy-authenticate: Basic realm="isola"\r\n' : ''}\r\nisola egress: ${message}\n`);
    };
    connectSockets.add(client);
    client.on('close', () => connectSockets.delete(client));
    client.on('error', () => client.destroy());
    const job = authenticate(req);
    if (!job) return reply('407 Proxy Authentication Required', 'proxy authentication required');
    // Authority form only: `host:port` or `[v6]:port`, nothing a URL parser could read as userinfo or path.
    const authority = req.url ?? '';
    const parsed = AUTHORITY.test(authority) ? parseTarget(`https://${authority}/`) : undefined;
    if (!parsed?.ok) return reply('400 Bad Request', 'CONNECT needs host:port');
    const target = parsed.target;
    const remaining = job.deadline - Date.now();
    const lifetime = Number.isFinite(remaining) ? remaining : DEFAULT_TUNNEL_MS;
    if (lifetime <= 0) return reply('504 Gateway Timeout', 'no time left before the deadline');
    const origin = `http://${target.port === 80 ? target.host : authority.toLowerCase()}`;
    if (bridge.servesInProcess(origin)) return serveInProcess(job, client, head, origin, lifetime);
    const signal = AbortSignal.timeout(lifetime);

    void bridge.gate.admit(job.jobId, job.allowHosts, target, signal).then((admission) => {
      if (client.destroyed) return;
      if (!admission.ok) {
        if (admission.kind === 'denied') bridge.reportDenied(job.jobId, admission.host, admission.reason, admission.detail);
        const status = admission.kind === 'denied' ? '403 Forbidden' : admission.kind === 'timeout' ? '504 Gateway Timeout' : '502 Bad Gateway';
        return reply(status, `${admission.kind}: ${admission.host}: ${admission.reason}`);
      }
      const tryAddress = (index: number): void => {
        const next = admission.addresses[index];
        if (!next) return reply('502 Bad Gateway', `network: ${describeTarget(target)}: connection failed`);
        const upstream = netConnect({ host: next.address, port: target.port });
        const onConnectError = (): void => {
          upstream.destroy();
          tryAddress(index + 1);
        };
        upstream.once('error', onConnectError);
        upstream.once('connect', () => {
          upstream.off('error', onConnectError);
          openTunnel(job, client, upstream, head, lifetime);
        });
      };
      tryAddress(0);
    });
  }

  function openTunnel(job: JobEntry, client: Socket, upstream: Socket, head: Buffer, lifetime: number): void {
    job.tunnels.add(client);
    let received = 0;
    const cut = (): void => {
      clearTimeout(timer);
      job.tunnels.delete(client);
      client.destroy();
      upstream.destroy();
    };
    const timer = setTimeout(cut, lifetime);
    upstream.on('error', cut);
    client.on('error', cut);
    upstream.on('close', cut);
    client.on('close', cut);
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > bridge.maxResponseBytes) cut();
    });
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.byteLength > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  /** In-process tunnels: the socket, the job whose CONNECT opened it, and the origin it named. */
  const inProcessTunnels = new WeakMap<Socket, { job: JobEntry; origin: string }>();
  function serveInProcess(job: JobEntry, client: Socket, head: Buffer, origin: string, lifetime: number): void {
    job.tunnels.add(client);
    const timer = setTimeout(() => client.destroy(), lifetime);
    client.on('close', () => {
      clearTimeout(timer);
      job.tunnels.delete(client);
    });
    inProcessTunnels.set(client, { job, origin });
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.byteLength > 0) client.unshift(head);
    tunneled.emit('connection', client);
  }

  const handle = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      // Bridge calls return values; reaching here is a bug, but one request must not take the proxy down.
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy(error instanceof Error ? error : undefined);
    });
  };
  const server = createServer(handle(onRequest));
  // Never listens: it only parses the HTTP inside in-process tunnels.
  const tunneled = createServer(handle(onTunneledRequest));
  server.on('connect', onConnect);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.socketPath !== undefined) server.listen(options.socketPath, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const bound = server.address();
  const address = typeof bound === 'string' ? bound : `127.0.0.1:${(bound as AddressInfo).port}`;
  const advertised = options.advertise ?? address;
  let closing: Promise<void> | undefined;

  return {
    address,
    url(jobId, allowHosts, deadline = Infinity) {
      let job = byJob.get(jobId);
      if (!job) {
        job = { jobId, token: randomBytes(24).toString('base64url'), allowHosts, deadline, tunnels: new Set() };
        byJob.set(jobId, job);
        byToken.set(job.token, job);
      }
      return `http://isola:${job.token}@${advertised}`;
    },
    release(jobId) {
      const job = byJob.get(jobId);
      if (!job) return;
      byJob.delete(jobId);
      byToken.delete(job.token);
      for (const socket of job.tunnels) socket.destroy();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of connectSockets) socket.destroy();
        byJob.clear();
        byToken.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
