/**
 * The reserved host guest code reaches project data at (http://isola.internal/...). Node-free, so lanes
 * can name it without loading the gateway: the bridge, not the lane, decides what it serves.
 */
export const INTERNAL_HOST = 'isola.internal';
