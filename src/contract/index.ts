export * from './errors.js';
export * from './ids.js';
export * from './items.js';
export * from './limits.js';
export * from './operator-limits.js';
export * from './prebuild.js';
export * from './request.js';
export * from './response.js';
