/** zod schemas of the project-data routes: bodies and path parameters, each failure naming its field. */
import { z } from 'zod';
import { type FieldIssue, IsolaError } from '../contract/errors.js';
import { DATABASE_NAME, IDENTIFIER, MAX_KEY_LENGTH } from './names.js';
import { MAX_SQL_LENGTH } from './sql-guard.js';
import { COLUMN_TYPES } from './types.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const cell = z.union([scalar, z.record(z.string(), z.unknown()), z.array(z.unknown())]);
const identifier = z.string().regex(IDENTIFIER, 'must start with a letter or _ and hold only A-Za-z0-9_ (at most 63)');
export const databaseName = z.string().regex(DATABASE_NAME, 'must start with a-z and hold only a-z, 0-9 and _ (at most 40 characters)');

export const ColumnSchema = z.strictObject({
  name: identifier,
  type: z.enum(COLUMN_TYPES),
  nullable: z.boolean().optional(),
  primary_key: z.boolean().optional(),
  unique: z.boolean().optional(),
});

const condition = z.union([
  scalar,
  z.strictObject({
    eq: scalar.optional(),
    ne: scalar.optional(),
    lt: scalar.optional(),
    lte: scalar.optional(),
    gt: scalar.optional(),
    gte: scalar.optional(),
    in: z.array(scalar).min(1).max(1000).optional(),
    like: z.string().optional(),
    is_null: z.boolean().optional(),
  }),
]);
const where = z.record(identifier, condition).refine((w) => Object.keys(w).length > 0, 'must name at least one column');

export const CreateDatabaseBody = z.strictObject({ name: databaseName });
export const CreateTableBody = z.strictObject({ name: identifier, columns: z.array(ColumnSchema).min(1).max(200) });
export const InsertRowsBody = z.strictObject({ rows: z.array(z.record(identifier, cell)).min(1) });
export const UpdateRowsBody = z.strictObject({ set: z.record(identifier, cell), where });
export const DeleteRowsBody = z.strictObject({ where });
export const QueryBody = z.strictObject({ sql: z.string().min(1).max(MAX_SQL_LENGTH), params: z.array(scalar).max(1000).optional() });
export const KvSetBody = z.strictObject({ value: z.unknown().refine((v) => v !== undefined, 'is required'), ttl_ms: z.number().int().positive().optional() });
export const KvIncrBody = z.strictObject({ by: z.number().int().optional(), ttl_ms: z.number().int().positive().optional() });

export const DatabaseParams = z.object({ database: databaseName });
export const TableParams = z.object({ database: databaseName, table: identifier });
export const KeyParams = z.object({ key: z.string().min(1).max(MAX_KEY_LENGTH) });

const pathOf = (path: PropertyKey[]): string => (path.length === 0 ? '(body)' : path.map(String).join('.'));

/** Parses or throws invalid_request naming every bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((issue) => {
    const field = pathOf(issue.path);
    if (issue.code !== 'unrecognized_keys') return { field, message: issue.message };
    return { field: issue.keys.map((k) => (field === '(body)' ? k : `${field}.${k}`)).join(', '), message: `unknown field (${issue.keys.join(', ')})` };
  });
  throw new IsolaError('invalid_request', `Invalid request: ${[...new Set(issues.map((i) => i.field))].join(', ')}`, { issues });
}
