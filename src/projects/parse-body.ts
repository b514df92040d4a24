/** Admin bodies are parsed by zod schemas; a mismatch answers like the execute contract does. */
import type { z } from 'zod';
import { IsolaError, type FieldIssue } from '../contract/errors.js';

/** Parse a body with a zod schema; a mismatch is invalid_request naming every bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')] : issue.path;
    const field = path.length === 0 ? '(body)' : path.map(String).join('.');
    return { field, message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message };
  });
  return raise(issues);
}

function raise(issues: FieldIssue[]): never {
  throw new IsolaError('invalid_request', `Invalid request: ${[...new Set(issues.map((issue) => issue.field))].join(', ')}`, { issues });
}
