/**
 * The HTTP face as a library, for embedding Isola in an existing service (kept apart from the package
 * root so `import { createEngine } from 'isola'` never loads fastify).
 */
export { buildApp, DEFAULT_DRAIN_GRACE_MS, type AppOptions, type IsolaControl } from './app.js';
export { createMetrics, type Metrics, type MetricsOptions } from './metrics.js';
export { buildOpenApiDocument, ErrorBodySchema } from './openapi.js';
export { startServer, DEFAULT_HOST, DEFAULT_PORT, type RunningServer, type StartServerOptions } from './serve.js';
export { verifyCallbackSignature, signCallback, SIGNATURE_HEADER } from '../jobs/callback-signature.js';
export type { JobsOptions } from '../jobs/jobs-options.js';
export type { JobQueue, JobView, JobStatus, JobEvent } from '../jobs/types.js';
