/**
 * How the native routes (/v1/execute, /v1/batch) meet the execution gate: the caller is authenticated in
 * onRequest, before fastify reads the body, so a client without a key cannot make the service parse
 * megabytes of JSON; the route then admits each execution with the parsed request's allow-list.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExecutionGate, Principal } from '../projects/execution-gate.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project the caller authenticated as; undefined when projects are off. */
    principal: Principal | undefined;
  }
}

export function decoratePrincipal(app: FastifyInstance): void {
  app.decorateRequest('principal', undefined);
}

/** A route's onRequest hook: sets request.principal or throws unauthorized / key_revoked. */
export function authenticateHook(gate: ExecutionGate) {
  return async (request: FastifyRequest): Promise<void> => {
    request.principal = await gate.authenticate({ authorization: request.headers.authorization });
  };
}

/** ExecuteOptions.project, present only when the execution runs for a project. */
export function projectOption(project: string | undefined): { project?: string } {
  return project ? { project } : {};
}
