/**
 * What a lane's environment hash is computed over, for requests without packages: the lane's name, the
 * versions of its packages and the text of its runtime files (LaneDescriptor.fingerprint). One function
 * for the Node engine and the edge engine, so both report the same hash for the same lane. Portable.
 */
import type { LaneDescriptor } from './descriptor.js';

export function fingerprintText(lane: LaneDescriptor, version: (pkg: string) => string, file: (path: string) => string): string {
  return [lane.name, ...lane.fingerprint.packages.map(version), ...lane.fingerprint.runtimeFiles.map(file)].join('\0');
}
