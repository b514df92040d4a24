/**
 * Zod schemas of the job face's wire shapes, for /openapi.json and for tests that parse answers. They
 * mirror types.ts; the tests parse real answers with them, so the two cannot drift apart silently.
 */
import { z } from 'zod';
import { ExecuteResponseSchema } from '../contract/response.js';

export const JobStatusSchema = z
  .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .describe('succeeded: the code ran to exit 0 without error; failed: it threw, exited non-zero, hit a limit, or could not run; cancelled: DELETE stopped it.');

export const CallbackStateSchema = z.object({
  url: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  last_error: z.string().optional(),
});

export const JobViewSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  created_at: z.string().describe('ISO 8601'),
  started_at: z.string().optional().describe('When a worker took the job.'),
  finished_at: z.string().optional(),
  expires_at: z.string().optional().describe('When the finished job is removed; GET then answers 404 job_not_found.'),
  result: ExecuteResponseSchema.optional().describe('The envelope POST /v1/execute answers; present once the job ended.'),
  error: z
    .object({ code: z.string(), message: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })).optional() })
    .optional()
    .describe('A request-level error when the engine could not run the job at all (no envelope then).'),
  callback: CallbackStateSchema.optional(),
});
