/**
 * Project data for guest code without keys: the egress bridge hands requests to the reserved host
 * (http://isola.internal/v1/databases/..., /v1/kv/...) to this gateway with the job id, and the gateway
 * serves them through the very same routes, as the project the host says the job belongs to. The
 * project comes from `projectOfJob` (host-side facts); a header the guest sends cannot name one.
 */
import fastify, { type FastifyInstance } from 'fastify';
import type { EgressRequest, EgressResponse } from '../lanes/lane.js';
import type { InternalService } from '../egress/bridge.js';
import { toErrorReply } from '../server/error-reply.js';
import { INTERNAL_HOST } from './internal-host.js';
import { registerProjectDataRoutes } from './routes.js';
import type { ProjectDatabases, ProjectKv } from './types.js';

export { INTERNAL_HOST };
/** The gateway's own header to its private app; any copy the guest sent is dropped first. */
const PROJECT_HEADER = 'x-isola-gateway-project';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface ProjectDataGatewayOptions {
  databases: ProjectDatabases;
  kv: ProjectKv;
  /** The project of a running job, from the engine's own records; undefined answers 401. */
  projectOfJob(jobId: string): string | undefined;
}

export interface ProjectDataGateway extends InternalService {
  close(): Promise<void>;
}

export function createProjectDataGateway(options: ProjectDataGatewayOptions): ProjectDataGateway {
  let app: Promise<FastifyInstance> | undefined;
  const appOf = () =>
    (app ??= (async () => {
      const inner = fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });
      inner.removeContentTypeParser('text/plain');
      inner.setErrorHandler((error, request, reply) => {
        const out = toErrorReply(error, request.id, MAX_BODY_BYTES);
        return reply.code(out.status).send(out.body);
      });
      registerProjectDataRoutes(inner, {
        databases: options.databases,
        kv: options.kv,
        projectOf: (request) => {
          const value = request.headers[PROJECT_HEADER];
          return typeof value === 'string' && value.length > 0 ? value : undefined;
        },
      });
      await inner.ready();
      return inner;
    })());

  return {
    host: INTERNAL_HOST,
    async handle(jobId: string, request: EgressRequest): Promise<EgressResponse> {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) {
        const lower = name.toLowerCase();
        if (lower === PROJECT_HEADER || lower === 'host' || lower === 'authorization') continue;
        headers[lower] = value;
      }
      const project = options.projectOfJob(jobId);
      if (project !== undefined) headers[PROJECT_HEADER] = project;
      const inner = await appOf();
      let res: Awaited<ReturnType<FastifyInstance['inject']>>;
      try {
        res = await inner.inject({
          method: request.method.toUpperCase() as 'GET',
          url: `${url.pathname}${url.search}`,
          headers,
          ...(request.body ? { payload: Buffer.from(request.body) } : {}),
        });
      } catch (error) {
        // A method light-my-request cannot send (PROPFIND, ...): the guest sees a network error, not a crash.
        return { ok: false, kind: 'network', message: `${INTERNAL_HOST}: ${error instanceof Error ? error.message : String(error)}` };
      }
      return {
        ok: true,
        status: res.statusCode,
        statusText: res.statusMessage,
        url: request.url,
        headers: Object.entries(res.headers).flatMap(([name, value]) =>
          value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : String(value)] as [string, string]],
        ),
        body: new Uint8Array(res.rawPayload),
      };
    },
    async close() {
      if (app) await (await app).close();
    },
  };
}
