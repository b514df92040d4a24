// Which allow-list entries lie within a project's egress ceiling: a request may narrow it, never widen it.
import { describe, expect, it } from 'vitest';
import { entriesOutsideCeiling } from '../../src/egress/allow-ceiling.js';

describe('entriesOutsideCeiling', () => {
  it.each([
    ['api.example.com', ['api.example.com'], true],
    ['API.Example.com.', ['api.example.com'], true],
    ['api.example.com', ['*.example.com'], true],
    ['*.eu.example.com', ['*.example.com'], true],
    ['*.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['*.example.com', ['api.example.com'], false],
    ['api.example.com.evil.org', ['*.example.com'], false],
    ['xexample.com', ['*.example.com'], false],
    ['api.example.com:8443', ['api.example.com:8443'], true],
    ['api.example.com', ['api.example.com:8443'], false],
    ['api.example.com:8443', ['api.example.com'], false],
    ['api.example.com:443', ['api.example.com'], false],
    ['10.0.0.1', ['10.0.0.1'], true],
    ['10.0.0.1', ['*.example.com'], false],
    ['[2001:db8::1]', ['[2001:DB8:0::1]'], true],
    ['anything.org', [], false],
  ])('%s within %j: %s', (entry, ceiling, within) => {
    expect(entriesOutsideCeiling([entry], ceiling)).toEqual(within ? [] : [{ index: 0, entry }]);
  });

  it('names each entry outside by its index', () => {
    expect(entriesOutsideCeiling(['a.example.com', 'b.org', 'c.example.com', 'd.org'], ['*.example.com'])).toEqual([
      { index: 1, entry: 'b.org' },
      { index: 3, entry: 'd.org' },
    ]);
  });
});
