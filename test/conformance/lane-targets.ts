/**
 * Every (lane, language) pair the registry promises among `languages`, with the request fields that
 * route to it: a lane with default languages is reached with runtime "auto"; the native lane, which runs
 * none by default, with runtime "native", in Python and JavaScript. The tables that run one program per
 * lane (conformance, items, deep output) share it, so a new lane joins them all at once.
 */
import type { LaneName } from '../../src/contract/response.js';
import { LANES } from '../../src/lanes/registry.js';

export function laneTargets<L extends string>(languages: readonly L[]): { lane: LaneName; language: L; runtime: 'auto' | LaneName }[] {
  return LANES.flatMap((lane) => {
    const runs = (language: string) => (lane.languages.length > 0 ? (lane.languages as readonly string[]).includes(language) : language === 'python' || language === 'javascript');
    return languages.filter(runs).map((language) => ({ lane: lane.name, language, runtime: lane.languages.length > 0 ? ('auto' as const) : lane.name }));
  });
}
