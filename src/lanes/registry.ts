/** Every lane Isola has, in routing order. Adding a lane: one folder with a descriptor, one line here. */
import { cpythonLane } from './cpython/descriptor.js';
import type { LaneDescriptor } from './descriptor.js';
import type { LaneName } from './lane.js';
import { nativeLane } from './native/descriptor.js';
import { quickjsLane } from './quickjs/descriptor.js';
import { wasiLane } from './wasi/descriptor.js';

export const LANES: readonly LaneDescriptor[] = [quickjsLane, cpythonLane, wasiLane, nativeLane];

export function laneDescriptor(name: LaneName): LaneDescriptor {
  const found = LANES.find((lane) => lane.name === name);
  if (!found) throw new Error(`unknown lane ${name}`);
  return found;
}

/** The lane a language runs in unless routing says otherwise. */
export function defaultLane(language: LaneDescriptor['languages'][number]): LaneName {
  const found = LANES.find((lane) => lane.languages.includes(language));
  if (!found) throw new Error(`no lane runs ${language}`);
  return found.name;
}
