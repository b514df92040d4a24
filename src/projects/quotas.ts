/**
 * A project's quotas: what the admin API accepts and stores, and how a PATCH changes them. A quota that is
 * absent does not apply (the operator's own limits still do).
 */
import { z } from 'zod';
import { LIMITS } from '../contract/limits.js';
import { AllowEntrySchema } from '../contract/request.js';

const fields = {
  concurrent_executions: z.int().min(1).max(1_000_000).describe('Executions of the project running at once; one more is answered 429.'),
  executions_per_minute: z.int().min(1).max(100_000_000).describe('Executions the project may start per minute (a one-minute window opened by its first execution); one more is answered 429 with Retry-After.'),
  egress_allow: z
    .array(AllowEntrySchema)
    .max(LIMITS.allowHosts.max)
    .describe('Egress ceiling: every network.allow entry of a request must lie within one of these (same syntax); [] means no network at all.'),
  library_bytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Bytes the project may keep in its files library, all files together; an upload past it is cut off with 413.'),
  blob_bytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Bytes the project may hold in the blob store (binary attachments), all blobs together; an upload past it is cut off with 413 blob_quota_exceeded, an attachment past it is that item\'s output_limit. Unused blobs expire after the blob TTL.'),
};

export const QuotasSchema = z.object(fields).partial().strict().describe('Per-project quotas; an absent quota does not apply.');
export type Quotas = z.infer<typeof QuotasSchema>;

/** A PATCH: a field set replaces that quota, null removes it, an absent one stays as it was. */
export const QuotasPatchSchema = z
  .object({
    concurrent_executions: fields.concurrent_executions.nullable(),
    executions_per_minute: fields.executions_per_minute.nullable(),
    egress_allow: fields.egress_allow.nullable(),
    library_bytes: fields.library_bytes.nullable(),
    blob_bytes: fields.blob_bytes.nullable(),
  })
  .partial()
  .strict();
export type QuotasPatch = z.infer<typeof QuotasPatchSchema>;

export function applyQuotasPatch(quotas: Quotas, patch: QuotasPatch): Quotas {
  const next: Record<string, unknown> = { ...quotas };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete next[name];
    else if (value !== undefined) next[name] = value;
  }
  return QuotasSchema.parse(next);
}
