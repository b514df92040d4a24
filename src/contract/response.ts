import * as z from 'zod';
import { itemResponseFields } from './items.js';

/** Why a run did not end normally. `exception`, `invalid_output` and `invalid_input` (main's annotations refused the inputs) are the code's or its inputs' fault; the rest are limits. */
export const ErrorTypeSchema = z.enum([
  'exception',
  'timeout',
  'memory_limit',
  'output_limit',
  'invalid_output',
  'invalid_input',
  'package_install',
  'package_unavailable',
  'cancelled',
  'internal',
]);
export type ErrorType = z.infer<typeof ErrorTypeSchema>;

export const RunErrorSchema = z.object({
  type: ErrorTypeSchema,
  message: z.string(),
  traceback: z.string().optional(),
  pointer: z.string().optional().describe('invalid_output from output_schema or output_guards: the RFC 6901 pointer into the output of the offending value.'),
  rule: z.string().optional().describe('...and the rule it breaks (a schema keyword such as "type", or a guard such as "max_depth").'),
});
export type RunError = z.infer<typeof RunErrorSchema>;

export const LaneSchema = z.enum(['quickjs', 'cpython', 'wasi', 'native']);
export type LaneName = z.infer<typeof LaneSchema>;

export const ExecuteResponseSchema = z.object({
  id: z.string(),
  status: z
    .enum(['completed', 'error'])
    .describe('completed: the code ran to its end, whatever its exit; error: the platform stopped it.'),
  return_code: z.number().int().nullable().describe('0 on success; non-zero when the code threw or exited non-zero; null when status is error.'),
  output: z.unknown().describe('main() return value; else parsed output.json; else stdout parsed as JSON; else null.'),
  stdout: z.string(),
  stderr: z.string(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  stdout_json: z.unknown().optional().describe('Present only when stdout is valid JSON.'),
  error: RunErrorSchema.nullable(),
  started_at: z.string().describe('ISO 8601'),
  finished_at: z.string().describe('ISO 8601'),
  elapsed_ms: z.number(),
  timings: z.object({ queue_ms: z.number(), setup_ms: z.number(), run_ms: z.number() }),
  environment: z.object({
    lane: LaneSchema,
    hash: z.string(),
    cache: z.enum(['hit', 'miss']),
    mode: z.enum(['script', 'main']).optional().describe('Entry convention the run used.'),
    reason: z.string().optional().describe('Why this lane ran the code, when it was not the default.'),
  }),
  ...itemResponseFields,
});
export type ExecuteResponse = z.infer<typeof ExecuteResponseSchema>;
