/** The admin API's bodies and answers: parsed with these on the way in, published from them in /openapi.json. */
import { z } from 'zod';
import { loneSurrogateAt } from '../contract/json-checks.js';
import { QuotasPatchSchema, QuotasSchema } from './quotas.js';

/** A name shown back in listings and logs: valid Unicode, no control characters. */
const ProjectNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => loneSurrogateAt(name) < 0, 'not valid Unicode (a lone surrogate)')
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'no control characters');

export const CreateProjectSchema = z.object({ name: ProjectNameSchema, quotas: QuotasSchema.default({}) }).strict();
export const PatchProjectSchema = z.object({ quotas: QuotasPatchSchema }).strict();

const KeyInfoSchema = z.object({
  key_id: z.string().describe('key_<16 hex>; the key itself carries it (isola_<hex>_<secret>).'),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export const ProjectSchema = z.object({
  id: z.string().describe('prj_<32 hex>'),
  name: z.string(),
  quotas: QuotasSchema,
  created_at: z.string(),
  keys: z.array(KeyInfoSchema).describe('Metadata only: a key is shown once, when it is created.'),
});

export const CreatedProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  quotas: QuotasSchema,
  created_at: z.string(),
  key_id: z.string(),
  api_key: z.string().describe('The project key, shown only in this answer: Authorization: Bearer <api_key> on executions.'),
});

export const CreatedKeySchema = z.object({ key_id: z.string(), api_key: z.string().describe('Shown only in this answer.'), created_at: z.string() });
