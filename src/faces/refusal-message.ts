/**
 * The one-line message a face with its own error shape (dify's `{code, message}`, Piston's `{message}`)
 * gives for a request the contract refused: the contract's message with every issue, so the field and
 * the limit it broke ("code: 3000000 bytes exceeds the limit of 2097152") reach the client.
 */
import type { IsolaError } from '../contract/errors.js';

export function refusalMessage(error: IsolaError): string {
  const issues = error.issues ?? [];
  if (issues.length === 0) return error.message;
  return `${error.message} (${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')})`;
}
