/**
 * Typed inputs and outputs: a request's `input_schema`, `output_schema` and `coerce`, turned into what
 * the contract checks before a run (the inputs, coerced first when asked) and what the envelope checks
 * after it (the output). One place for every lane and face: the guest never sees a schema. Portable.
 */
import { coerceToSchema } from './coerce-inputs.js';
import type { FieldIssue } from './errors.js';
import { findJsonValueIssue } from './json-checks.js';
import { outputGuardCheck, type OutputGuards } from './output-guards.js';
import { compileSchema, SchemaError, type CompiledSchema, type SchemaViolation } from './json-schema.js';

/** The fields of a request this module reads. */
export interface TypedIoFields {
  inputs: Record<string, unknown>;
  input_schema?: boolean | Record<string, unknown> | undefined;
  output_schema?: boolean | Record<string, unknown> | undefined;
  output_guards?: OutputGuards | undefined;
  coerce: boolean;
}

/** Why an output is refused: the same facts as an input issue, for the envelope's `invalid_output`. */
export interface OutputViolation {
  pointer: string;
  rule: string;
  message: string;
}

/** Checks a run's output (its parsed value); undefined when it passes. */
export type OutputCheck = (output: unknown) => OutputViolation | undefined;

export interface TypedIo {
  input?: CompiledSchema;
  outputCheck?: OutputCheck;
}

/** Compile the request's schemas; a schema ajv or the caps refuse is an issue naming its field. */
export function compileTypedIo(request: TypedIoFields): TypedIo | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const compile = (field: 'input_schema' | 'output_schema'): CompiledSchema | undefined => {
    const schema = request[field];
    if (schema === undefined) return undefined;
    try {
      return compileSchema(schema);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      issues.push({ field, message: `not a usable JSON Schema (2020-12): ${error.message}` });
      return undefined;
    }
  };
  const input = compile('input_schema');
  const output = compile('output_schema');
  if (request.coerce && request.input_schema === undefined) issues.push({ field: 'coerce', message: 'coerces inputs to the types of input_schema, and there is no input_schema' });
  if (issues.length > 0) return { issues };
  // Dify's guards first: they are the cheap, hard limits; then the schema.
  const guards = request.output_guards === undefined ? undefined : outputGuardCheck(request.output_guards);
  const schemaCheck = output ? (value: unknown) => outputViolation(output.check(value)) : undefined;
  const outputCheck: OutputCheck | undefined = guards && schemaCheck ? (value) => guards(value) ?? schemaCheck(value) : (guards ?? schemaCheck);
  return { ...(input ? { input } : {}), ...(outputCheck ? { outputCheck } : {}) };
}

function outputViolation(violation: SchemaViolation | undefined): OutputViolation | undefined {
  return violation && { pointer: violation.pointer, rule: violation.rule, message: `${violation.message} (output_schema ${violation.schemaPath})` };
}

/** The inputs to run with (coerced when asked), or issues naming the JSON pointer that fails input_schema. */
export function checkTypedInputs(request: TypedIoFields, typed: TypedIo): { inputs: Record<string, unknown> } | { issues: FieldIssue[] } {
  if (!typed.input) return { inputs: request.inputs };
  const checked = checkInput(typed.input, request.coerce === true, request.inputs, 'inputs');
  if ('issue' in checked) return { issues: [checked.issue] };
  return { inputs: checked.value as Record<string, unknown> };
}

/** Why one batch item's json does not pass input_schema: its pointer into the item's json, the rule, a message. */
export interface ItemInputViolation {
  pointer: string;
  rule: string;
  message: string;
}

/**
 * One batch item's json (`args.input`), coerced when asked and held to input_schema: the json to run
 * with, or why not. A batch item that fails is that item's error (`invalid_input`), not the request's.
 */
export function checkItemInput(typed: TypedIo, coerce: boolean, json: unknown, index: number): { json: unknown } | { violation: ItemInputViolation } {
  if (!typed.input) return { json };
  const checked = checkInput(typed.input, coerce, json, `items.${index}.json`);
  if ('value' in checked) return { json: checked.value };
  const { pointer = '', rule = 'json', message } = checked.issue;
  return { violation: { pointer, rule, message: `input${pointer === '' ? '' : ` ${pointer}`}: ${message}` } };
}

function checkInput(input: NonNullable<TypedIo['input']>, coerce: boolean, value: unknown, field: string): { value: unknown } | { issue: FieldIssue } {
  let checked = value;
  if (coerce) {
    checked = coerceToSchema(checked, input.schema);
    // A string coerced to an array or object was parsed here: it gets the checks the body got.
    const issue = findJsonValueIssue(checked, field);
    if (issue) return { issue };
  }
  const violation = input.check(checked);
  if (!violation) return { value: checked };
  return { issue: { field: fieldOfPointer(field, violation.pointer), pointer: violation.pointer, rule: violation.rule, message: `${violation.message} (input_schema ${violation.schemaPath})` } };
}

/** "inputs" plus the pointer's segments, dotted like every other field name of the contract. */
function fieldOfPointer(base: string, pointer: string): string {
  if (pointer === '') return base;
  const segments = pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return [base, ...segments].join('.');
}
