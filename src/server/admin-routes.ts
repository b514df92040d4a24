/**
 * The admin API (`/v1/admin/*`): projects, their keys and quotas, behind `Authorization: Bearer <admin
 * token>` (ISOLA_ADMIN_TOKEN). A key is returned once, when it is made; only its scrypt hash is kept.
 * Ids in paths are looked up within their project, so a key id is never reached through another
 * project's path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import { hashSecret, newApiKey, sameSecret } from '../projects/api-key.js';
import { bearerToken } from '../projects/execution-gate.js';
import type { KeyVerifier } from '../projects/key-verifier.js';
import { parseBody } from '../projects/parse-body.js';
import type { ProjectLimiter } from '../projects/project-limiter.js';
import type { Project, ProjectStore } from '../projects/project-store.js';
import { applyQuotasPatch } from '../projects/quotas.js';
import { CreateProjectSchema, PatchProjectSchema } from '../projects/admin-schemas.js';

export interface AdminOptions {
  adminToken: string;
  store: ProjectStore;
  verifier: KeyVerifier;
  limiter: ProjectLimiter;
  /** Removes what else the project owned (its library files). */
  onProjectDeleted?: (id: string) => Promise<void>;
}

const notFound = (what: string) => new IsolaError('not_found', `No ${what}`);

export function registerAdminRoutes(app: FastifyInstance, options: AdminOptions): void {
  const { store, verifier, limiter } = options;

  const projectOr404 = (id: string): Project => {
    const project = store.getProject(id);
    if (!project) throw notFound(`project ${id}`);
    return project;
  };

  void app.register(async (admin) => {
    admin.addHook('onRequest', async (request: FastifyRequest) => {
      const token = bearerToken(request.headers.authorization);
      // Digests compared in constant time, so the answer's timing says nothing of the token.
      if (token === undefined || !sameSecret(token, options.adminToken)) {
        throw new IsolaError('unauthorized', 'The admin API needs Authorization: Bearer <admin token> (ISOLA_ADMIN_TOKEN)', { issues: [{ field: '(authorization)', message: token === undefined ? 'missing' : 'not the admin token' }] });
      }
    });

    admin.post('/v1/admin/projects', async (request, reply) => {
      const body = parseBody(CreateProjectSchema, request.body ?? {});
      const key = newApiKey();
      const project = store.createProject(body.name, body.quotas, { keyId: key.keyId, hash: await hashSecret(key.secret) });
      request.log.info({ project: project.id, key_id: key.keyId }, 'project created');
      return reply.code(201).send({ id: project.id, name: project.name, quotas: project.quotas, created_at: project.created_at, key_id: key.keyId, api_key: key.apiKey });
    });

    admin.get('/v1/admin/projects', async () => ({ projects: store.listProjects() }));

    admin.get<{ Params: { id: string } }>('/v1/admin/projects/:id', async (request) => projectOr404(request.params.id));

    admin.patch<{ Params: { id: string } }>('/v1/admin/projects/:id', async (request) => {
      const project = projectOr404(request.params.id);
      const { quotas } = parseBody(PatchProjectSchema, request.body ?? {});
      const next = applyQuotasPatch(project.quotas, quotas);
      store.setQuotas(project.id, next);
      request.log.info({ project: project.id }, 'project quotas changed');
      return { ...project, quotas: next };
    });

    admin.delete<{ Params: { id: string } }>('/v1/admin/projects/:id', async (request, reply) => {
      const project = projectOr404(request.params.id);
      store.deleteProject(project.id);
      for (const key of project.keys) verifier.forget(key.key_id);
      limiter.forget(project.id);
      await options.onProjectDeleted?.(project.id);
      request.log.info({ project: project.id }, 'project deleted');
      return reply.code(204).send();
    });

    admin.post<{ Params: { id: string } }>('/v1/admin/projects/:id/keys', async (request, reply) => {
      const project = projectOr404(request.params.id);
      const key = newApiKey();
      const info = store.addKey(project.id, { keyId: key.keyId, hash: await hashSecret(key.secret) });
      if (!info) throw notFound(`project ${project.id}`);
      request.log.info({ project: project.id, key_id: key.keyId }, 'key created');
      return reply.code(201).send({ key_id: key.keyId, api_key: key.apiKey, created_at: info.created_at });
    });

    admin.delete<{ Params: { id: string; key_id: string } }>('/v1/admin/projects/:id/keys/:key_id', async (request, reply) => {
      const { id, key_id } = request.params;
      const revoked = store.revokeKey(id, key_id);
      if (!revoked) throw notFound(`key ${key_id} in project ${id}`);
      verifier.forget(key_id);
      request.log.info({ project: id, key_id }, 'key revoked');
      return reply.code(204).send();
    });
  });
}
