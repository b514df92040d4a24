/**
 * From the form to a POST /v1/execute body. Text that is not JSON at all cannot be sent, so the page says
 * so itself; JSON of the wrong shape (an array, a string) goes to the service, whose 400 names the field
 * exactly as any client would see it.
 */
import type { PlaygroundRequest } from './share-link.js';

export type BuiltRequest = { ok: true; body: Record<string, unknown> } | { ok: false; field: string; message: string };

export function buildExecuteBody(form: PlaygroundRequest): BuiltRequest {
  let inputs: unknown = {};
  if (form.inputs.trim() !== '') {
    try {
      inputs = JSON.parse(form.inputs);
    } catch (error) {
      return { ok: false, field: 'inputs', message: `inputs is not valid JSON: ${(error as Error).message}` };
    }
  }
  const packages = form.packages.split(/[\s,]+/).filter(Boolean);
  return {
    ok: true,
    body: {
      language: form.language,
      code: form.code,
      inputs,
      ...(packages.length > 0 ? { packages } : {}),
      timeout_ms: form.timeout_ms,
      memory_mb: form.memory_mb,
      runtime: form.runtime,
    },
  };
}
