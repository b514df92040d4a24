// SSRF through job callbacks: a requester names a callback URL that points inside the operator's network
// (loopback, the cloud metadata service, private ranges), spelled every way URLs allow, behind a name that
// resolves inside, behind a hostile DNS answer that mixes one inside address among public ones, or behind
// a redirect. Each is refused; the listening server inside receives nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackSender } from '../../src/jobs/callback-sender.js';
import type { JobView } from '../../src/jobs/types.js';
import { ADD } from '../server/helpers.js';
import { startReceiver, type Receiver } from '../jobs/callback-receiver.js';
import { submit, useJobsApp, waitForJob } from '../jobs/helpers.js';

const SECRET = 'ssrf-test-secret';
const JOB = { language: 'javascript', code: ADD, inputs: { a: 1, b: 2 } };

let inside: Receiver;
beforeAll(async () => {
  inside = await startReceiver();
});
afterAll(async () => {
  await inside?.close();
});

describe('callbacks under the default policy (private addresses refused)', () => {
  const app = useJobsApp({ callbackSecret: SECRET, callbackAttempts: 3, callbackBackoffMs: 10 });

  it.each([
    ['loopback', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['loopback, decimal spelling', (port: number) => `http://2130706433:${port}/hook`],
    ['loopback, hex spelling', (port: number) => `http://0x7f.1:${port}/hook`],
    ['loopback, IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['IPv6 loopback', (port: number) => `http://[::1]:${port}/hook`],
    ['the cloud metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private range', () => 'http://10.0.0.1/hook'],
    ['the unspecified address', (port: number) => `http://0.0.0.0:${port}/hook`],
  ])('refuses a callback to %s at submit, naming callback.url', async (_name, url) => {
    const res = await submit(app(), { ...JOB, callback: { url: url(inside.port) } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', issues: [{ field: 'callback.url' }] });
    expect(res.json().error.issues[0].message).toContain('refused by the egress policy');
    expect(inside.deliveries).toHaveLength(0);
  });

  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:70/', 'not a url'])('refuses the non-HTTP callback %s', async (url) => {
    const res = await submit(app(), { ...JOB, callback: { url } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].field).toBe('callback.url');
  });

  it('refuses at delivery a name that resolves to loopback (localhost), without retrying', async () => {
    const res = await submit(app(), { ...JOB, callback: { url: `http://localhost:${inside.port}/hook` } });
    expect(res.statusCode).toBe(202);
    const job = await waitForJob(app(), res.json().id, (view) => view.callback?.state === 'failed');
    expect(job.status).toBe('succeeded');
    expect(job.callback).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.callback?.last_error).toMatch(/refused by the egress policy: .* resolves to a loopback address/);
    expect(inside.deliveries).toHaveLength(0);
  });
});

describe('callbacks when the operator allowed private addresses', () => {
  const app = useJobsApp({ callbackSecret: SECRET, callbackAllowPrivate: true, callbackAttempts: 2, callbackBackoffMs: 10 });

  it('still refuses the link-local metadata service', async () => {
    const res = await submit(app(), { ...JOB, callback: { url: 'http://169.254.169.254/latest/meta-data/' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].message).toContain('link-local');
  });

  it('does not follow a redirect from an allowed receiver to another address', async () => {
    const front = await startReceiver();
    try {
      front.answers.push({ redirect: `http://127.0.0.1:${inside.port}/hook` }, { redirect: `http://127.0.0.1:${inside.port}/hook` });
      const res = await submit(app(), { ...JOB, callback: { url: front.url } });
      const job = await waitForJob(app(), res.json().id, (view) => view.callback?.state === 'failed');
      expect(job.callback).toMatchObject({ attempts: 2, last_error: 'answered 302 (redirects are not followed)' });
      expect(front.deliveries).toHaveLength(2);
      expect(inside.deliveries).toHaveLength(0);
    } finally {
      await front.close();
    }
  });
});

describe('callbacks behind hostile DNS (the sender with an injected resolver)', () => {
  const job: JobView = { id: 'job_test', status: 'succeeded', created_at: new Date().toISOString() };

  it.each([
    ['only a loopback answer', [{ address: '127.0.0.1', family: 4 as const }]],
    ['one loopback answer among public ones', [{ address: '93.184.216.34', family: 4 as const }, { address: '127.0.0.1', family: 4 as const }]],
    ['a metadata-service answer', [{ address: '169.254.169.254', family: 4 as const }]],
    ['an IPv4-mapped loopback answer', [{ address: '::ffff:127.0.0.1', family: 6 as const }]],
  ])('refuses a public-looking name with %s, before connecting', async (_name, answers) => {
    const sender = createCallbackSender({ secret: SECRET, attempts: 3, backoffMs: 10, lookup: async () => answers });
    try {
      const states: string[] = [];
      let last: unknown;
      await sender.send({ url: `http://hooks.example.com:${inside.port}/hook` }, job, (state) => {
        states.push(state.state);
        last = state;
      });
      expect(states).toEqual(['failed']);
      expect(last).toMatchObject({ attempts: 1, last_error: expect.stringContaining('refused by the egress policy') });
      expect(inside.deliveries).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });
});
