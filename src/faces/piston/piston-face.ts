/**
 * The Piston v2 face (engineer-man/piston's execute API, whose public instance closed in February
 * 2026): `GET /api/v2/runtimes` and `POST /api/v2/execute`, so that Piston clients keep their code.
 * Answers `{language, version, run: {stdout, stderr, output, code, signal, message, status, cpu_time,
 * wall_time, memory}}` with Piston's status letters (TO timeout, RE runtime error, SG killed, OL/EL
 * output limits, XX internal) and `400 {message}` for a bad request, never Isola's own error shape.
 *
 * Differs from Piston: one file per request (Piston's extra files have no place in a sandbox without a
 * shared file system), no `args`, no compile stage (TypeScript's type stripping is not one), and no
 * memory figure (`memory: null`).
 *
 * With projects on, /api/v2/execute takes `Authorization: Bearer <project key>` like /v1/execute, and a
 * refusal keeps its status (401, 403, 429 with Retry-After) with Piston's `{message}` body.
 */
import type { FastifyInstance } from 'fastify';
import { isIsolaError } from '../../contract/errors.js';
import type { ExecuteResponse } from '../../contract/response.js';
import type { Engine } from '../../engine/types.js';
import { OPEN_GATE, type ExecutionGate } from '../../projects/execution-gate.js';
import { refusalMessage } from '../refusal-message.js';

interface Runtime {
  language: 'python' | 'javascript' | 'typescript' | 'ruby';
  version: string;
  aliases: string[];
  runtime: string;
}

export const PISTON_RUNTIMES: readonly Runtime[] = [
  { language: 'python', version: '3.15.0', aliases: ['py', 'py3', 'python3'], runtime: 'cpython-wasi' },
  { language: 'javascript', version: '2024.0.0', aliases: ['js', 'node-javascript', 'node-js'], runtime: 'quickjs' },
  { language: 'typescript', version: '2024.0.0', aliases: ['ts', 'node-ts'], runtime: 'quickjs' },
  { language: 'ruby', version: '4.0.0', aliases: ['rb', 'ruby4'], runtime: 'cruby-wasi' },
];

interface ExecuteBody {
  language?: unknown;
  version?: unknown;
  files?: unknown;
  stdin?: unknown;
  args?: unknown;
  run_timeout?: unknown;
  run_memory_limit?: unknown;
}

class PistonError extends Error {}

function runtimeFor(language: unknown, version: unknown): Runtime {
  if (typeof language !== 'string') throw new PistonError('language is required as a string');
  if (typeof version !== 'string') throw new PistonError('version is required as a string');
  const runtime = PISTON_RUNTIMES.find((r) => r.language === language || r.aliases.includes(language));
  // Piston matches versions as semver ranges; the ones clients send are "*", "3", "3.x", "3.15", or exact.
  const range = version.replace(/(\.(x|\*))+$/, '');
  if (!runtime || !(version === '*' || runtime.version === range || runtime.version.startsWith(`${range}.`))) {
    throw new PistonError(`${language}-${version} runtime is unknown`);
  }
  return runtime;
}

function mainFile(files: unknown): string {
  if (!Array.isArray(files) || files.length === 0) throw new PistonError('files is required as an array');
  if (files.length > 1) throw new PistonError('this Piston face runs one file per request');
  const file = files[0] as { content?: unknown; encoding?: unknown };
  if (typeof file?.content !== 'string') throw new PistonError('files[0].content is required as a string');
  const encoding = file.encoding ?? 'utf8';
  if (encoding === 'utf8') return file.content;
  if (encoding === 'base64' || encoding === 'hex') return Buffer.from(file.content, encoding).toString('utf8');
  throw new PistonError('files[0].encoding must be utf8, base64 or hex');
}

function positive(name: string, value: unknown): number | undefined {
  if (value === undefined || value === -1) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new PistonError(`${name} must be a positive number`);
  return value;
}

/** Piston's default run_timeout, in ms. */
const DEFAULT_RUN_TIMEOUT_MS = 3000;

/** Piston refuses a constraint past the operator's limit (never clamps it), in these words. */
function runTimeoutMs(value: unknown, maxTimeoutMs: number): number {
  const asked = positive('run_timeout', value);
  if (asked === undefined) return Math.min(DEFAULT_RUN_TIMEOUT_MS, maxTimeoutMs);
  const ms = Math.ceil(asked);
  if (ms > maxTimeoutMs) throw new PistonError(`run_timeout cannot exceed the configured limit of ${maxTimeoutMs}`);
  return ms;
}

function run(response: ExecuteResponse) {
  const type = response.error?.type;
  const [status, message, signal] =
    type === 'timeout' ? ['TO', 'Timeout', 'SIGKILL']
    : type === 'memory_limit' ? ['SG', 'Memory limit exceeded', 'SIGKILL']
    : response.stdout_truncated ? ['OL', 'stdout length exceeded', null]
    : response.stderr_truncated ? ['EL', 'stderr length exceeded', null]
    : type === 'internal' ? ['XX', response.error!.message, null]
    : response.return_code !== 0 || response.error ? ['RE', response.error?.message ?? null, null]
    : [null, null, null];
  const stderr = response.stderr || (response.error && type !== 'timeout' && type !== 'memory_limit' ? `${response.error.traceback ?? response.error.message}\n` : '');
  return {
    stdout: response.stdout,
    stderr,
    output: response.stdout + stderr,
    code: signal ? null : (response.return_code ?? 1),
    signal,
    message,
    status,
    cpu_time: Math.round(response.timings.run_ms),
    wall_time: Math.round(response.elapsed_ms),
    memory: null,
  };
}

/** Refusals of the gate keep their status; the contract's and the engine's become Piston's 400 (or 5xx). */
const GATE_STATUSES = new Set([401, 403, 429]);

export function registerPistonFace(app: FastifyInstance, engine: Engine, gate: ExecutionGate = OPEN_GATE): void {
  void app.register(async (face) => {
    // A body fastify cannot parse gets Piston's shape too.
    face.setErrorHandler((error, request, reply) => {
      const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'piston face failed');
      return reply.code(status >= 500 ? 500 : 400).send({ message: status >= 500 ? `internal error (request ${request.id})` : (error as Error).message });
    });

    face.get('/api/v2/runtimes', async () => PISTON_RUNTIMES);

    face.post('/api/v2/execute', async (request, reply) => {
      const body = (request.body ?? {}) as ExecuteBody;
      try {
        const principal = await gate.authenticate({ authorization: request.headers.authorization });
        const runtime = runtimeFor(body.language, body.version);
        const code = mainFile(body.files);
        if (Array.isArray(body.args) && body.args.length > 0) throw new PistonError('args are not supported by this Piston face');
        if (body.stdin !== undefined && typeof body.stdin !== 'string') throw new PistonError('stdin must be a string');
        const timeoutMs = runTimeoutMs(body.run_timeout, engine.limits.maxTimeoutMs);
        const memoryBytes = positive('run_memory_limit', body.run_memory_limit);
        using admission = await gate.admit(principal, []);
        const response = await engine.execute(
          {
            language: runtime.language,
            code,
            entrypoint: 'script',
            stdin: typeof body.stdin === 'string' ? body.stdin : '',
            timeout_ms: timeoutMs,
            ...(memoryBytes !== undefined ? { memory_mb: Math.min(4096, Math.max(16, Math.ceil(memoryBytes / 2 ** 20))) } : {}),
          },
          { requestId: request.id, face: 'piston', ...(admission.project ? { project: admission.project } : {}) },
        );
        return { language: runtime.language, version: runtime.version, run: run(response) };
      } catch (error) {
        if (error instanceof PistonError) return reply.code(400).send({ message: error.message });
        if (isIsolaError(error) && GATE_STATUSES.has(error.status)) {
          if (error.retryAfterS !== undefined) void reply.header('retry-after', String(error.retryAfterS));
          return reply.code(error.status).send({ message: error.message });
        }
        if (isIsolaError(error)) return reply.code(error.status >= 500 ? error.status : 400).send({ message: refusalMessage(error) });
        throw error;
      }
    });
  });
}
