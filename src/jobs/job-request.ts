/**
 * The body of POST /v1/jobs: exactly an ExecuteRequest (the same contract, the same errors) plus an
 * optional `callback`. The callback is taken off before the contract sees the rest, so the contract
 * stays the one schema of an execution. Portable.
 */
import { z } from 'zod';
import { IsolaError, isIsolaError, type FieldIssue } from '../contract/errors.js';
import type { ParsedExecuteRequest, RequestContract } from '../contract/request.js';
import type { JobCallback } from './types.js';

export const MAX_CALLBACK_URL_CHARS = 2048;

export const CallbackSchema = z
  .object({
    url: z
      .string()
      .max(MAX_CALLBACK_URL_CHARS)
      .refine((text) => /^https?:\/\//i.test(text) && URL.canParse(text), 'must be an absolute http or https URL')
      .describe('Receives the job (the GET /v1/jobs/:id body) as a signed POST when it ends; see Isola-Signature.'),
  })
  .strict()
  .describe('Optional: where to POST the finished job.');

export interface ParsedJobRequest {
  request: ParsedExecuteRequest;
  callback?: JobCallback;
}

export function acceptJobRequest(contract: RequestContract, body: unknown): ParsedJobRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('callback' in body)) {
    return { request: contract.accept(body) };
  }
  const { callback: rawCallback, ...rest } = body as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  let callback: JobCallback | undefined;
  if (rawCallback !== undefined) {
    const parsed = CallbackSchema.safeParse(rawCallback);
    if (parsed.success) callback = parsed.data;
    else for (const issue of parsed.error.issues) issues.push({ field: ['callback', ...issue.path.map(String)].join('.'), message: issue.message });
  }
  let request: ParsedExecuteRequest;
  try {
    request = contract.accept(rest);
  } catch (error) {
    // One 400 names every bad field, the callback's too.
    if (isIsolaError(error) && error.code === 'invalid_request' && issues.length > 0) throw invalidRequest([...(error.issues ?? []), ...issues], error);
    throw error;
  }
  if (issues.length > 0) throw invalidRequest(issues);
  return { request, ...(callback ? { callback } : {}) };
}

function invalidRequest(issues: FieldIssue[], cause?: unknown): IsolaError {
  const fields = [...new Set(issues.map((issue) => issue.field))].join(', ');
  return new IsolaError('invalid_request', `Invalid request: ${fields}`, { issues, ...(cause ? { cause } : {}) });
}
