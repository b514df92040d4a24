/**
 * Node entry of the wasi lane: the only file of the lane that imports `node:`. User modules need
 * nothing from here (they arrive in the job); Ruby's module is read from its npm package on a worker's
 * first Ruby job (ruby-platform.ts).
 */
import type { CreateDriver } from '../lane.js';
import { createWasiDriver } from './driver.js';

export const createDriver: CreateDriver = async (host) => createWasiDriver(host, {});
