// The client checked against a real server's /openapi.json: every route it calls exists there with its
// method, the request fields it knows are exactly the document's, and every error code the document can
// answer with is one the client knows. A server change the client misses fails here.
import { describe, expect, it } from 'vitest';
import { createClient, EXECUTE_REQUEST_FIELDS, ROUTES } from '../../src/client/index.js';
import { isServerErrorCode } from '../../src/client/errors.js';
import { useServer } from './helpers.js';

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

describe('the client against /openapi.json', () => {
  const server = useServer({ workers: { quickjs: 1, cpython: 0, native: 0 }, prewarm: false });
  const documentOf = async () => (await createClient(server().url).openapi()) as unknown as OpenApiDocument;

  it.each(Object.entries(ROUTES))('calls %s at a path and method the document has', async (_name, { method, path }) => {
    const document = await documentOf();
    expect(Object.keys(document.paths)).toContain(path);
    expect(Object.keys(document.paths[path] ?? {})).toContain(method.toLowerCase());
  });

  it('knows exactly the request fields of ExecuteRequest', async () => {
    const document = await documentOf();
    const properties = document.components.schemas['ExecuteRequest']?.properties ?? {};
    expect([...EXECUTE_REQUEST_FIELDS].sort()).toEqual(Object.keys(properties).sort());
  });

  it('knows every error code of ErrorBody', async () => {
    const document = await documentOf();
    const error = document.components.schemas['ErrorBody']?.properties?.['error'] as { properties: { code: { enum: string[] } } };
    const codes = error.properties.code.enum;
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !isServerErrorCode(code))).toEqual([]);
  });
});
