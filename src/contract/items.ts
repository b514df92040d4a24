/**
 * The workflow data model's items: what a request may carry in `items` and what a batch answers on its
 * ports. An item is `{ json, binary? }` as in n8n and Codemation; binary entries are references to the
 * blob store, never bytes. Portable.
 */
import * as z from 'zod';
import type { FieldIssue } from './errors.js';
import { findJsonValueIssue } from './json-checks.js';
import { utf8Length } from './limits.js';

export const ITEM_LIMITS = {
  /** Items per request: each is one execution, so this bounds a request's work like timeout_ms does. */
  max: 10_000,
  /** Attachments per item, and characters of an attachment's or a port's name. */
  binaryPerItem: 64,
  nameChars: 128,
  /** Named output ports per item (main included). */
  ports: 32,
} as const;

/** Port and attachment names: what a workflow editor shows as a label, never a path. */
/** Languages whose guests call execute(args, ctx) per item (the wasi lane's modules and Ruby have no such entry). */
export const ITEM_LANGUAGES: readonly string[] = ['javascript', 'typescript', 'python'];

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const BinaryRefSchema = z
  .object({
    id: z.string().min(1).max(200).describe('Blob id from POST /v1/blobs.'),
    mime_type: z.string().max(200).optional(),
    filename: z.string().max(1024).optional(),
    size: z.number().int().nonnegative().optional(),
  })
  .strict()
  .describe('A reference to bytes in the blob store; the bytes never travel in JSON.');

const BinaryMapSchema = z
  .record(z.string().max(ITEM_LIMITS.nameChars).regex(NAME_PATTERN, 'must be a name of letters, digits, _ . -'), BinaryRefSchema)
  .refine((map) => Object.keys(map).length <= ITEM_LIMITS.binaryPerItem, `at most ${ITEM_LIMITS.binaryPerItem} attachments per item`);

export const ItemSchema = z
  .object({
    json: z.record(z.string(), z.unknown()).describe("The item's data: args.input of execute()."),
    binary: BinaryMapSchema.optional().describe('Attachments by name.'),
  })
  .strict();
export type Item = z.infer<typeof ItemSchema>;

/** The request fields of a batch, added to the execute request schema. */
export const itemRequestFields = {
  items: z
    .array(ItemSchema)
    .max(ITEM_LIMITS.max)
    .optional()
    .describe(
      `A batch of at most ${ITEM_LIMITS.max} items. The code's execute(args, ctx) runs once per item, each in a fresh interpreter, and the answer carries \`items\` by port. The items count against the inputs size limit together.`,
    ),
  // Optional rather than defaulted: a request without items stays exactly what it was.
  continue_on_fail: z
    .boolean()
    .optional()
    .describe('With items: a failing item is reported in `errors` and the others still run (default: the first failing item fails the execution).'),
  empty_batch: z
    .enum(['skip', 'run_once'])
    .optional()
    .describe('With an empty `items`: skip runs nothing and answers `items: {main: []}`; run_once calls execute once with an empty item.'),
};

/**
 * The batch as the guest receives it: each item's JSON text, and the whole list's (args.items), made
 * once. `issues` names the first item that JSON cannot carry; `bytes` is their serialized size.
 */
export function serializeItems(items: readonly Item[]): { itemJsons: string[]; itemsJson: string; bytes: number } | { issue: FieldIssue } {
  const itemJsons: string[] = [];
  let bytes = 2;
  for (const [index, item] of items.entries()) {
    const issue = findJsonValueIssue(item.json, `items.${index}.json`);
    if (issue) return { issue };
    const text = JSON.stringify(item);
    itemJsons.push(text);
    bytes += utf8Length(text) + 1;
  }
  return { itemJsons, itemsJson: `[${itemJsons.join(',')}]`, bytes };
}

export const OutputItemSchema = z.object({
  json: z.unknown(),
  binary: z.record(z.string(), BinaryRefSchema).optional(),
  paired: z.object({ item: z.number().int().nonnegative() }).describe('Index of the input item this one came from.'),
});
export type OutputItem = z.infer<typeof OutputItemSchema>;

export const ItemErrorSchema = z.object({
  index: z.number().int().nonnegative().describe('Index of the failing input item.'),
  type: z.string(),
  message: z.string(),
  traceback: z.string().optional(),
  pointer: z.string().optional().describe('invalid_output from output_schema or output_guards: the RFC 6901 pointer into the failing output item\'s json; invalid_input from input_schema: into the input item\'s json.'),
  rule: z.string().optional().describe('invalid_output / invalid_input: the keyword or guard that failed.'),
});
export type ItemError = z.infer<typeof ItemErrorSchema>;

/** The response fields of a batch, added to the envelope. */
export const itemResponseFields = {
  items: z
    .record(z.string(), z.array(OutputItemSchema))
    .optional()
    .describe('Present when the request had `items`: output items by port (`main` and whatever ctx.emitPorts named).'),
  errors: z.array(ItemErrorSchema).optional().describe('Present when the request had `items` and some failed: one entry per failing item.'),
};

/** What POST /v1/blobs answers: the blob's content address and facts. */
export const BlobInfoSchema = z.object({
  id: z.string().describe('The SHA-256 of the bytes, in hex: what an item\'s binary entry names.'),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  mime_type: z.string(),
});
export type BlobInfo = z.infer<typeof BlobInfoSchema>;
