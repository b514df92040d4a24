/**
 * Network for native jobs whose request has an allow-list. The sandbox keeps its own empty network
 * namespace; the only way out is the host's egress proxy (src/egress/proxy.ts), listening on a Unix
 * socket that is bind-mounted into the sandbox. Inside, the runner forwards 127.0.0.1:3128 to that socket
 * and HTTP_PROXY/HTTPS_PROXY carry the job's token, so ordinary clients (requests, urllib, curl, pip)
 * go through the same policy as the Wasm lanes' fetch bridge. Portable: plain data in, plain data out.
 *
 * Node 20's fetch and http ignore proxy variables; JavaScript jobs get the forwarder and the variables,
 * which clients such as axios honour.
 */
import type { GuestJob } from '../lane.js';

/** What the native driver needs of an EgressProxy (createEgressProxy with `socketPath` and `advertise`). */
export interface NativeEgressProxy {
  /** Where the proxy listens: must be a Unix socket path the sandbox uid can reach and connect to. */
  readonly address: string;
  url(jobId: string, allowHosts: readonly string[], deadline?: number): string;
  release(jobId: string): void;
}

/** Port of the in-sandbox forwarder; the proxy must be created with `advertise: '127.0.0.1:3128'`. */
export const EGRESS_PORT = 3128;
export const SANDBOX_EGRESS_SOCKET = '/isola/egress.sock';

export interface JobEgress {
  /** Host socket bound read-write at SANDBOX_EGRESS_SOCKET. */
  bind: [string, string];
  /**
   * Fields of job.json: the runner starts its forwarder and sets HTTP(S)_PROXY to the URL itself. The
   * URL holds the job's token, so it travels in the job file (readable by the sandbox uid only), never
   * on bwrap's command line, which any local user could read in /proc.
   */
  spec: { egress_socket: string; egress_port: number; egress_proxy_url: string };
}

export function jobEgress(job: GuestJob, proxy: NativeEgressProxy | undefined): JobEgress | undefined {
  // A job with no allow-list still gets the proxy when the bridge serves project data: the gate refuses
  // every other host for it, as it would refuse them for an allow-list that does not name them.
  if (!proxy || (job.allowHosts.length === 0 && job.internalHost === undefined) || !proxy.address.startsWith('/')) return undefined;
  return {
    bind: [proxy.address, SANDBOX_EGRESS_SOCKET],
    spec: { egress_socket: SANDBOX_EGRESS_SOCKET, egress_port: EGRESS_PORT, egress_proxy_url: proxy.url(job.id, job.allowHosts, job.deadline) },
  };
}
