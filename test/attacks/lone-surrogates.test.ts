// Lone UTF-16 surrogates are legal in JSON text ("\ud800") but are not Unicode: a guest's UTF-8 encoder
// (CPython's above all) refuses them, which used to surface as `internal: UnicodeEncodeError`. The
// contract refuses them up front, naming the field, over the real HTTP face.
import { describe, expect, it } from 'vitest';
import { ADD, post, useApp } from '../server/helpers.js';

describe('lone surrogates in a request', () => {
  const app = useApp();

  const raw = (fields: string) => post(app(), `{"language":"python",${fields}}`);

  it.each([
    ['code', `"code":"print('\\ud800')"`, 'code'],
    ['a low half alone in code', `"code":"x = '\\udc00'"`, 'code'],
    ['an input value', `"code":"pass","inputs":{"user":{"name":"a\\ud83d"}}`, 'inputs.user.name'],
    ['an input in an array', `"code":"pass","inputs":{"list":["ok","\\udfff"]}`, 'inputs.list.1'],
    ['an input key', `"code":"pass","inputs":{"k\\ud800":1}`, 'inputs.k\ud800'],
    ['prebuild', `"code":"pass","prebuild":"'\\ud800'"`, 'prebuild'],
    ['a package spec', `"code":"pass","packages":["six\\ud800"]`, 'packages.0'],
  ])('%s: 400 naming the field', async (_name, fields, field) => {
    const res = await raw(fields);
    expect(res.statusCode, res.body).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('invalid_request');
    expect(error.issues).toEqual([expect.objectContaining({ field, message: expect.stringContaining('lone surrogate') })]);
  });

  it('a proper surrogate pair (an emoji) is fine', async () => {
    const res = await post(app(), `{"language":"javascript","code":${JSON.stringify(ADD)},"inputs":{"a":"\\ud83d\\ude00","b":"!"}}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().output).toEqual({ sum: '😀!' });
  });
});
