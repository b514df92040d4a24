/**
 * Routing: which lane runs a request, in which environment. Packages (or a prebuild) go through the
 * environment manager, which picks the lane from what the packages need; otherwise the language's
 * Wasm lane runs it (a shell prebuild makes the environment a native one), unless the request asks for the native lane or the Wasm lane is down and the
 * request allows native. Every choice that is not the default carries a reason for the response.
 */
import { IsolaError } from '../contract/errors.js';
import { shellPrebuildOf } from '../contract/prebuild.js';
import type { ExecuteRequest } from '../contract/request.js';
import type { LaneName, RunError } from '../contract/response.js';
import type { GuestEnvironment } from '../lanes/lane.js';
import type { LaneExecutor } from './scheduler.js';

export interface EnvironmentPreparer {
  prepare(
    request: { language: Exclude<ExecuteRequest['language'], 'ruby' | 'wasm'>; packages: string[]; runtime: ExecuteRequest['runtime']; prebuild?: string; prebuildLanguage?: 'bash' },
    signal?: AbortSignal,
  ): Promise<
    | { lane: LaneName; hash: string; cache: 'hit' | 'miss'; buildMs: number; reason?: string; spec: Record<string, unknown> }
    | { error: { type: 'package_install' | 'package_unavailable'; message: string } }
  >;
}

export type Route =
  | { kind: 'lane'; lane: LaneName; environment?: GuestEnvironment; cache: 'hit' | 'miss'; buildMs: number; reason?: string }
  /** The environment could not be built: answered as a result, not a request error. */
  | { kind: 'failed'; lane: LaneName; failure: RunError; buildMs: number };

export async function routeRequest(
  request: ExecuteRequest,
  defaultLane: LaneName,
  lanes: Map<LaneName, LaneExecutor>,
  environments: EnvironmentPreparer,
  signal?: AbortSignal,
): Promise<Route> {
  const unavailable = (lane: LaneName): string | undefined => {
    const executor = lanes.get(lane);
    return executor ? executor.unavailable : 'the lane is disabled on this engine';
  };

  // The contract refuses packages and prebuild for the languages of the wasi lane (ruby, wasm).
  if ((request.packages.length > 0 || request.prebuild !== undefined) && request.language !== 'ruby' && request.language !== 'wasm') {
    const started = performance.now();
    const env = await environments.prepare({
      language: request.language,
      packages: request.packages,
      runtime: request.runtime,
      ...(request.prebuild !== undefined ? { prebuild: request.prebuild } : {}),
      ...(shellPrebuildOf(request) ? { prebuildLanguage: 'bash' as const } : {}),
    }, signal);
    const buildMs = performance.now() - started;
    if ('error' in env) return { kind: 'failed', lane: defaultLane, failure: env.error, buildMs };
    const down = unavailable(env.lane);
    if (down) {
      return { kind: 'failed', lane: env.lane, buildMs, failure: { type: 'package_unavailable', message: `these packages need the ${env.lane} lane, which is unavailable: ${down}` } };
    }
    return { kind: 'lane', lane: env.lane, environment: { hash: env.hash, spec: env.spec }, cache: env.cache, buildMs, ...(env.reason ? { reason: env.reason } : {}) };
  }

  if (request.runtime === 'native') return checked('native', 'runtime "native" was requested');
  const down = unavailable(defaultLane);
  if (down && request.runtime === 'auto' && request.language === 'python' && defaultLane !== 'native' && !unavailable('native')) {
    return { kind: 'lane', lane: 'native', cache: 'hit', buildMs: 0, reason: `the ${defaultLane} lane is unavailable (${down}); runtime "auto" allows the native lane` };
  }
  return checked(defaultLane);

  function checked(lane: LaneName, reason?: string): Route {
    const why = unavailable(lane);
    if (why) {
      const field = lane === 'native' ? 'runtime' : 'language';
      throw new IsolaError('unsupported', `${field}: the ${lane} lane is unavailable on this engine (${why})`, { issues: [{ field, message: `${lane} is unavailable: ${why}` }] });
    }
    return { kind: 'lane', lane, cache: 'hit', buildMs: 0, ...(reason ? { reason } : {}) };
  }
}
