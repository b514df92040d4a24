/**
 * The dify-sandbox face: langgenius/dify-sandbox's HTTP API over Isola's engine, so that a Dify
 * operator points CODE_EXECUTION_ENDPOINT at Isola and changes nothing else. What Dify sends is its
 * own wrapper around the user's code (inputs as base64 JSON, `main(**inputs)`, the result printed
 * between `<<RESULT>>` tags); the face runs it as a script and answers in the sandbox's envelope:
 * `{code: 0, message: "success", data: {stdout, stderr, error, exit_code}}`, with `data.error` worded as
 * upstream words it. Python gets a default package set (Dify documents numpy, pandas, pyyaml, markdown,
 * jinja2 and requests as pre-installed) without the request naming it.
 *
 * Auth: without projects, X-Api-Key must be the face's own key (upstream's API_KEY). With projects on,
 * X-Api-Key (what Dify's CODE_EXECUTION_API_KEY sends) or Authorization: Bearer must be a project key, and
 * the run is that project's; the face's own key then opens nothing, since it belongs to no project.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIsolaError } from '../../contract/errors.js';
import { OperatorLimitsError, type OperatorLimits } from '../../contract/operator-limits.js';
import type { ExecuteResponse } from '../../contract/response.js';
import type { Engine } from '../../engine/types.js';
import { OPEN_GATE, type ExecutionGate, type Principal } from '../../projects/execution-gate.js';
import { refusalMessage } from '../refusal-message.js';

export interface DifyFaceOptions {
  apiKey: string;
  /** Python packages every python3 run gets (ISOLA_DIFY_PACKAGES). */
  packages: string[];
  /** Upstream's WORKER_TIMEOUT, in seconds; at most the engine's maximum timeout. */
  timeoutS: number;
  /** Upstream's MAX_REQUESTS: runs at once before 503 "Too many requests". */
  maxRequests: number;
  /** Hosts `enable_network: true` may reach (upstream's network switch, as an egress allow-list). */
  allowHosts: string[];
}

export const DIFY_DEFAULT_PACKAGES = ['numpy', 'pandas', 'pyyaml', 'markdown', 'jinja2', 'requests'];
/** Provided by the lane itself (runtimes/python/isola_egress.py): a real copy would work through the same bridge, after an environment build. */
const PROVIDED = new Set(['requests']);

const LANGUAGES = { python3: 'python', nodejs: 'javascript' } as const;

interface RunBody {
  language?: unknown;
  code?: unknown;
  preload?: unknown;
  enable_network?: unknown;
}

const fail = (code: number, message: string) => ({ code, message, data: null });

/** Upstream's default WORKER_TIMEOUT. */
const DEFAULT_TIMEOUT_S = 15;

/**
 * The face's options from ISOLA_DIFY_*. Without ISOLA_DIFY_TIMEOUT_S the timeout is upstream's 15 s, or
 * the operator's maximum when that is shorter; a timeout set past the maximum is refused when mounted.
 */
export function difyOptionsFromEnv(env: NodeJS.ProcessEnv, apiKey: string | undefined, limits: OperatorLimits): DifyFaceOptions | undefined {
  const key = apiKey ?? env['ISOLA_DIFY_API_KEY'];
  if (!key) return undefined;
  const list = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  const number = (value: string | undefined, fallback: number) => (value && Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : fallback);
  return {
    apiKey: key,
    packages: env['ISOLA_DIFY_PACKAGES'] === undefined ? DIFY_DEFAULT_PACKAGES : list(env['ISOLA_DIFY_PACKAGES']),
    timeoutS: number(env['ISOLA_DIFY_TIMEOUT_S'], Math.min(DEFAULT_TIMEOUT_S, limits.maxTimeoutMs / 1000)),
    maxRequests: number(env['ISOLA_DIFY_MAX_REQUESTS'], 50),
    allowHosts: list(env['ISOLA_DIFY_ALLOW_HOSTS']),
  };
}

/** What upstream puts in data.error: empty on success, else how the process ended. */
function errorText(response: ExecuteResponse): string {
  if (response.error?.type === 'timeout') return 'process exited with code -1\nerror: timeout\n';
  if (response.error?.type === 'memory_limit') return `process exited with code ${response.return_code ?? 137}\nerror: memory limit exceeded\n`;
  if (response.error === null && response.return_code === 0) return '';
  const detail = response.stderr || response.error?.traceback || response.error?.message || '';
  return `process exited with code ${response.return_code ?? 1}\n${detail}`;
}

/** Throws OperatorLimitsError when the face's timeout is longer than the engine allows any request. */
export function registerDifyFace(app: FastifyInstance, engine: Engine, options: DifyFaceOptions, gate: ExecutionGate = OPEN_GATE): void {
  const timeoutMs = Math.round(options.timeoutS * 1000);
  if (timeoutMs > engine.limits.maxTimeoutMs) {
    throw new OperatorLimitsError('ISOLA_DIFY_TIMEOUT_S', `the dify-sandbox face's timeout (ISOLA_DIFY_TIMEOUT_S=${options.timeoutS}) exceeds the maximum timeout of ${engine.limits.maxTimeoutMs} ms`);
  }
  // Its own scope, so that a body fastify cannot parse is answered in the sandbox's shape too.
  void app.register(async (face) => {
    face.setErrorHandler((error, request, reply) => {
      const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'dify face failed');
      return reply.code(status >= 500 ? 500 : 400).send(fail(status >= 500 ? -500 : -400, status >= 500 ? `internal error (request ${request.id})` : (error as Error).message));
    });
    routes(face, engine, { ...options, timeoutMs }, gate);
  });
}

/** An auth or quota refusal in the sandbox's shape: upstream answers a bad key with an empty 401. */
function refuse(reply: FastifyReply, error: { status: number; message: string; retryAfterS?: number | undefined }): FastifyReply {
  if (error.status === 401) return reply.code(401).send();
  if (error.retryAfterS !== undefined) void reply.header('retry-after', String(error.retryAfterS));
  return reply.code(error.status).send(fail(-error.status, error.message));
}

function routes(app: FastifyInstance, engine: Engine, options: DifyFaceOptions & { timeoutMs: number }, gate: ExecutionGate): void {
  const packages = options.packages.filter((name) => !PROVIDED.has(name.toLowerCase()));
  let running = 0;

  // Upstream answers the JSON string "ok" (fastify would send a bare string as text/plain).
  app.get('/health', async (_request, reply) => reply.type('application/json').send(JSON.stringify('ok')));

  /** The caller's project (undefined without projects), or false once the refusal is sent. */
  const authorized = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined | false> => {
    const apiKey = request.headers['x-api-key'];
    if (!gate.enabled) {
      if (apiKey === options.apiKey) return undefined;
      void reply.code(401).send();
      return false;
    }
    try {
      return await gate.authenticate({ authorization: request.headers.authorization, apiKey: typeof apiKey === 'string' ? apiKey : undefined });
    } catch (error) {
      if (!isIsolaError(error)) throw error;
      refuse(reply, error);
      return false;
    }
  };

  app.post('/v1/sandbox/run', async (request, reply) => {
    const principal = await authorized(request, reply);
    if (principal === false) return reply;
    const body = (request.body ?? {}) as RunBody;
    const language = typeof body.language === 'string' ? LANGUAGES[body.language as keyof typeof LANGUAGES] : undefined;
    if (!language) return fail(-400, 'unsupported language');
    if (typeof body.code !== 'string') return fail(-400, 'code is required');
    if (running >= options.maxRequests) return reply.code(503).send(fail(-503, 'Too many requests'));
    const preload = typeof body.preload === 'string' && body.preload.trim() ? `${body.preload}\n` : '';
    const allow = body.enable_network === true ? options.allowHosts : [];
    let admission: Disposable & { project: string | undefined };
    try {
      admission = await gate.admit(principal, allow);
    } catch (error) {
      if (!isIsolaError(error)) throw error;
      return refuse(reply, error);
    }
    running++;
    try {
      const response = await engine.execute(
        {
          language,
          code: `${preload}${body.code}`,
          entrypoint: 'script',
          timeout_ms: options.timeoutMs,
          ...(language === 'python' && packages.length > 0 ? { packages } : {}),
          ...(allow.length > 0 ? { network: { allow } } : {}),
        },
        { requestId: request.id, face: 'dify', ...(admission.project ? { project: admission.project } : {}) },
      );
      return { code: 0, message: 'success', data: { stdout: response.stdout, stderr: response.stderr, error: errorText(response), exit_code: response.return_code ?? -1 } };
    } catch (error) {
      // The contract refused the request (code too large, the queue full): upstream answers in its envelope.
      if (isIsolaError(error)) return error.status === 503 ? reply.code(503).send(fail(-503, 'Too many requests')) : fail(-400, refusalMessage(error));
      throw error;
    } finally {
      running--;
      admission[Symbol.dispose]();
    }
  });

  const dependencies = async (request: FastifyRequest, reply: FastifyReply) => {
    if ((await authorized(request, reply)) === false) return reply;
    const language = (request.query as Record<string, unknown>)['language'];
    const list = language === 'python3' || language === undefined ? options.packages.map((name) => ({ name, version: '' })) : [];
    return { code: 0, message: 'success', data: { dependencies: list } };
  };
  app.get('/v1/sandbox/dependencies', dependencies);
  app.get('/v1/sandbox/dependencies/refresh', dependencies);
  app.post('/v1/sandbox/dependencies/update', async (request, reply) => {
    if ((await authorized(request, reply)) === false) return reply;
    // Environments are content-addressed and built on first use: there is nothing to reinstall.
    return { code: 0, message: 'success', data: {} };
  });
}
