// The Dockerfile, docker-compose.yml and Kubernetes manifests, parsed and checked against the code they
// deploy: paths that exist, the packages the native lane needs, probes and metrics the service serves.
// (No container runtime is assumed on the test machine; this keeps the files honest without one.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { resolveSharedQueueOptions } from '../../src/jobs/shared-queue-options.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction { keyword: string; args: string }
/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are untyped until the assertions below check them
type Manifest = Record<string, any>;
const manifests: Manifest[] = readdirSync(join(ROOT, 'deploy/kubernetes'))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => doc.toJS() as Manifest));
const byKind = (kind: string) => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

let engine: Engine;
let app: ReturnType<typeof buildApp>;
beforeAll(async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 }, onEvent: metrics.onEvent });
  app = buildApp({ engine, metrics: metrics.registry });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await engine?.close();
});

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const stages = steps.filter((s) => s.keyword === 'FROM');
  const runtimeStart = steps.lastIndexOf(stages.at(-1)!);
  const runtime = steps.slice(runtimeStart);

  it('is multi-stage and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = runtime.filter((s) => s.keyword === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user?.args.split(':')[0]);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter(Boolean);
    const sources = steps.filter((s) => s.keyword === 'COPY' && !s.args.includes('--from='))
      .flatMap((s) => s.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), source).toBe(false);
    }
  });

  it('installs every system package the native lane needs', () => {
    const needed = execFileSync(process.execPath, [join(ROOT, 'scripts/system-packages.mjs'), '--all'], { encoding: 'utf8' }).trim().split(' ');
    const installed = runtime.filter((s) => s.keyword === 'RUN').map((s) => s.args).join(' ');
    for (const pkg of needed) expect(installed, pkg).toMatch(new RegExp(`install[^&]*\\s${pkg}(\\s|$)`));
  });

  it('starts the CLI that exists, on all interfaces, and checks a health route the service has', async () => {
    const cmd = JSON.parse(runtime.find((s) => s.keyword === 'CMD')!.args) as string[];
    expect(existsSync(join(ROOT, cmd[1]!))).toBe(true);
    expect(cmd.slice(2)).toEqual(expect.arrayContaining(['serve', '--host', '0.0.0.0']));
    const health = runtime.find((s) => s.keyword === 'HEALTHCHECK')!.args;
    const path = /127\.0\.0\.1:8080(\/[a-z]+)/.exec(health)?.[1];
    expect((await app.inject({ url: path! })).statusCode).toBe(200);
  });
});

describe('docker-compose.yml', () => {
  // Compose resolves YAML merge keys (`<<: *isola-node`), as YAML 1.1 does.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Manifest;
  const services = compose.services as Record<string, Manifest>;
  it('runs two nodes from this Dockerfile on one shared store and one Redis queue, read-only, draining on SIGTERM', () => {
    const nodes = Object.values(services).filter((service) => service.build !== undefined);
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node.build).toBe('.');
      expect(node.read_only).toBe(true);
      expect(node.volumes).toContain('isola-store:/var/lib/isola');
      expect(node.environment.ISOLA_STORE_DIR).toBe('/var/lib/isola');
      expect(node.stop_signal).toBe('SIGTERM');
      expect(node.depends_on).toContain('redis');
      // The URL names the redis service and its port, in the form serve accepts.
      const url = new URL(node.environment.ISOLA_QUEUE_URL);
      expect(url.protocol).toBe('redis:');
      expect(services[url.hostname]).toBeDefined();
      expect(resolveSharedQueueOptions({}, node.environment)?.url).toBe(node.environment.ISOLA_QUEUE_URL);
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['isola-store', 'redis-data']);
  });

  it('runs Redis with its append-only file on a volume, so a restart keeps accepted jobs', () => {
    const redis = services['redis']!;
    expect(redis.image).toMatch(/^redis:/);
    const args = redis.command as string[];
    expect(args[0]).toBe('redis-server');
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
    expect(['always', 'everysec']).toContain(args[args.indexOf('--appendfsync') + 1]);
    expect(redis.volumes).toContain('redis-data:/data');
  });
});

describe('Kubernetes manifests', () => {
  it('has a Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler that select the same pods', () => {
    const deployment = byKind('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(podLabels);
    expect(byKind('Service').spec.selector).toEqual(podLabels);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(podLabels);
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    for (const m of manifests) expect(m.apiVersion, m.kind).toMatch(/^(v1|apps\/v1|policy\/v1|autoscaling\/v2)$/);
  });

  it('runs non-root on a read-only root file system, with writable store and /tmp mounts', () => {
    const pod = byKind('Deployment').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const mounts = container.volumeMounts.map((m: Manifest) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/tmp', container.env.find((e: Manifest) => e.name === 'ISOLA_STORE_DIR').value]));
    expect(existsSync(join(ROOT, container.command[1]))).toBe(true);
  });

  it('probes routes the service answers and scales on a metric /metrics exports', async () => {
    const [container] = byKind('Deployment').spec.template.spec.containers;
    expect((await app.inject({ url: container.livenessProbe.httpGet.path })).statusCode).toBe(200);
    expect((await app.inject({ url: container.readinessProbe.httpGet.path })).statusCode).toBe(200);
    const service = byKind('Service');
    expect(container.ports.map((p: Manifest) => p.name)).toContain(service.spec.ports[0].targetPort);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    const scaledOn = byKind('HorizontalPodAutoscaler').spec.metrics.filter((m: Manifest) => m.type === 'Pods' || m.type === 'External');
    expect(scaledOn.length).toBeGreaterThan(0);
    for (const m of scaledOn) expect(metrics).toMatch(new RegExp(`^# TYPE ${(m.pods ?? m.external).metric.name} gauge$`, 'm'));
  });
});
