/** `isola serve`: start the HTTP service and block until SIGTERM/SIGINT has drained it. */
import { parseArgs } from 'node:util';
import { LaneSchema, type LaneName } from '../contract/response.js';
import { DEFAULT_OPERATOR_LIMITS as LIMIT, OPERATOR_LIMIT_RANGES as RANGE, OperatorLimitsError } from '../contract/operator-limits.js';
import { JobsOptionsError } from '../jobs/jobs-options.js';
import { ProjectDataOptionsError } from '../project-data/project-data-options.js';
import { EXIT } from './exit-codes.js';
import { limitSettings } from './limit-settings.js';
import { writeStderr, writeStdout } from './output.js';
import { UsageError } from './usage-error.js';

export const SERVE_USAGE = `Usage: isola serve [options]

Starts the HTTP service (POST /v1/execute, /v1/jobs, /healthz, /readyz, /metrics, /openapi.json, /docs).
Logs are JSON lines on stdout; the line with msg "isola listening" carries the bound address.
SIGTERM or SIGINT drains: new executions get 503, in-flight ones finish within the grace period.

Options:
  --port <n>             TCP port, 0 for any free port; default 8080
  --host <addr>          interface to bind; default 127.0.0.1
  --grace-ms <ms>        how long a drain waits for in-flight executions; default 30000
  --workers <lane=n,...> workers per lane, 0 disables a lane, e.g. quickjs=4,cpython=0,native=0
                         (lanes: quickjs, cpython, wasi, native; defaults chosen by the engine per core count)
  --max-queue <n>        executions waiting for a worker before 503 overloaded
  --max-timeout-ms <ms>  longest timeout_ms a request may ask for; default ${LIMIT.maxTimeoutMs}
                         (at most ${RANGE.maxTimeoutMs.max}); or ISOLA_MAX_TIMEOUT_MS
  --max-code-bytes <n>   largest code, UTF-8 bytes; default ${LIMIT.maxCodeBytes} (at most ${RANGE.maxCodeBytes.max});
                         or ISOLA_MAX_CODE_BYTES
  --max-inputs-bytes <n> largest inputs serialized, and stdin; default ${LIMIT.maxInputsBytes}
                         (at most ${RANGE.maxInputsBytes.max}); or ISOLA_MAX_INPUTS_BYTES
  --egress-allow-private let allow-listed hosts resolve to loopback and private addresses (tests,
                         on-prem); link-local (cloud metadata) stays refused. A request cannot do this.
  --dify-api-key <key>   mount the dify-sandbox face (/health, /v1/sandbox/*) with this X-Api-Key
  --piston               mount the Piston v2 face (/api/v2/runtimes, /api/v2/execute); or ISOLA_PISTON=1
  --queue <url>          share jobs with other nodes through Redis (redis://host:port): any node accepts
                         /v1/jobs and /v1/execute, the node with a free worker runs them; or ISOLA_QUEUE_URL
  --project-data <url>   where projects keep databases and KV state: sqlite (default: files under the
                         store dir, one node) or postgres://user:password@host:port/database (every node
                         shares it; needs ISOLA_PROJECT_DATA_SECRET); or ISOLA_PROJECT_DATA_URL
  --job-ttl-ms <ms>      how long a finished job's result is kept (/v1/jobs); default 3600000; or ISOLA_JOB_TTL_MS
  --auth <on|off>        projects and keys: with ISOLA_ADMIN_TOKEN set, every execution needs a project
                         key (admin API under /v1/admin). Without it a loopback host runs without keys and
                         any other host refuses to start, unless --auth off says to serve without keys
  -h, --help
Environment: ISOLA_LOG_LEVEL (default info), ISOLA_STORE_DIR (snapshot store; projects in its projects/),
ISOLA_ADMIN_TOKEN (at least 16 characters: turns projects on and their files library under /v1/library),
ISOLA_LIBRARY_MAX_FILE_BYTES (largest library file; default 268435456),
ISOLA_URL_SIGNING_KEY (at least 32 characters; signs library download URLs; every node of a cluster needs
the same one; default a random key per process), ISOLA_PUBLIC_URL (the base signed URLs name, e.g.
https://isola.example.com; default the listen address), ISOLA_DOWNLOAD_URL_TTL_S (default 3600),
ISOLA_PROJECT_DATA_SECRET (PostgreSQL project data: at least 16 characters, the same on every node and
never changed, as the projects' role passwords and schema names derive from it),
ISOLA_EGRESS_ALLOW_PRIVATE=1 (same as --egress-allow-private); the dify-sandbox face: ISOLA_DIFY_API_KEY,
ISOLA_DIFY_PACKAGES (default numpy,pandas,pyyaml,markdown,jinja2,requests), ISOLA_DIFY_TIMEOUT_S (15,
at most the maximum timeout),
ISOLA_DIFY_MAX_REQUESTS (50), ISOLA_DIFY_ALLOW_HOSTS (hosts enable_network may reach; none by default);
jobs: ISOLA_JOBS_MAX_QUEUED (1000), ISOLA_JOBS_MAX_STORED (10000), ISOLA_JOBS_MAX_STORED_BYTES (512 MiB),
ISOLA_JOBS_CONCURRENCY (16),
ISOLA_CALLBACK_SECRET (HMAC key of callback signatures; callbacks are refused without it),
ISOLA_CALLBACK_ALLOW_PRIVATE=1 and ISOLA_CALLBACK_ALLOW_ADDRESSES (CIDRs) to let callbacks reach private hosts;
shared queue: ISOLA_QUEUE_PREFIX (isola), ISOLA_QUEUE_LOCK_MS (30000, a running job's lease),
ISOLA_QUEUE_STALLED_INTERVAL_MS (30000, how often nodes look for jobs whose lease ran out),
ISOLA_QUEUE_MAX_STALLED (2, lease losses a job survives).`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'grace-ms': { type: 'string' },
  'dify-api-key': { type: 'string' },
  piston: { type: 'boolean' },
  'job-ttl-ms': { type: 'string' },
  auth: { type: 'string' },
  queue: { type: 'string' },
  'project-data': { type: 'string' },
  workers: { type: 'string' },
  'max-queue': { type: 'string' },
  'max-timeout-ms': { type: 'string' },
  'max-code-bytes': { type: 'string' },
  'max-inputs-bytes': { type: 'string' },
  'egress-allow-private': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Socket errors an operator can fix; anything else is reported as an internal error with its stack. */
const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  ENOTFOUND: 'unknown host name',
};

function intFlag(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `quickjs=4,cpython=0`: worker counts per lane; lanes not named keep the engine's default. */
function workersFlag(value: string): Partial<Record<LaneName, number>> {
  const workers: Partial<Record<LaneName, number>> = {};
  for (const part of value.split(',')) {
    const [lane, count, extra] = part.split('=');
    const parsedLane = LaneSchema.safeParse(lane?.trim());
    if (!parsedLane.success || count === undefined || extra !== undefined) {
      throw new UsageError(`--workers takes lane=n pairs (lanes: ${LaneSchema.options.join(', ')}), got ${JSON.stringify(part)}`);
    }
    workers[parsedLane.data] = intFlag('workers', count.trim(), 0, 1024);
  }
  return workers;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
  if (values.help) {
    await writeStdout(`${SERVE_USAGE}\n`);
    return EXIT.ok;
  }
  const port = values.port === undefined ? undefined : intFlag('port', values.port, 0, 65535);
  const drainGraceMs = values['grace-ms'] === undefined ? undefined : intFlag('grace-ms', values['grace-ms'], 0, 3_600_000);
  const workers = values.workers === undefined ? {} : workersFlag(values.workers);
  const maxQueue = values['max-queue'] === undefined ? undefined : intFlag('max-queue', values['max-queue'], 0, 1_000_000);
  const limits = limitSettings(values, process.env);
  const jobTtlMs = values['job-ttl-ms'] === undefined ? undefined : intFlag('job-ttl-ms', values['job-ttl-ms'], 1, 30 * 24 * 3_600_000);
  if (values.auth !== undefined && values.auth !== 'on' && values.auth !== 'off') throw new UsageError(`--auth takes on or off, got ${JSON.stringify(values.auth)}`);
  const auth = values.auth;

  const { startServer, DEFAULT_HOST, DEFAULT_PORT } = await import('../server/serve.js');
  const { AuthPolicyError } = await import('../server/auth-policy.js');
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      ...(port !== undefined ? { port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(drainGraceMs !== undefined ? { drainGraceMs } : {}),
      ...(values['dify-api-key'] !== undefined ? { difyApiKey: values['dify-api-key'] } : {}),
      ...(values.piston ? { piston: true } : {}),
      ...(jobTtlMs !== undefined ? { jobs: { ttlMs: jobTtlMs } } : {}),
      ...(auth !== undefined ? { auth } : {}),
      ...(values.queue !== undefined ? { queue: { url: values.queue } } : {}),
      ...(values['project-data'] !== undefined ? { projectData: values['project-data'] } : {}),
      engineOptions: {
        workers,
        ...(maxQueue !== undefined ? { maxQueue } : {}),
        limits,
        ...(values['egress-allow-private'] ? { egress: { allowPrivate: true } } : {}),
      },
    });
  } catch (error) {
    // A face's setting past the limits (ISOLA_DIFY_TIMEOUT_S over the maximum timeout): the operator's to fix.
    if (error instanceof OperatorLimitsError || error instanceof JobsOptionsError || error instanceof ProjectDataOptionsError) throw new UsageError(error.message, { cause: error });
    // Keys or not: the refusal is the whole message, on one line.
    if (error instanceof AuthPolicyError) {
      await writeStderr(`isola serve: ${error.message}\n`);
      return EXIT.usage;
    }
    const reason = LISTEN_ERRORS[(error as NodeJS.ErrnoException).code ?? ''];
    if (!reason) throw error;
    await writeStderr(`isola serve: cannot listen on ${values.host ?? DEFAULT_HOST}:${port ?? DEFAULT_PORT}: ${reason}\n`);
    return EXIT.failure;
  }
  await server.closed;
  return EXIT.ok;
}
