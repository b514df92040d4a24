/** Egress: the host-side bridge for guest network calls, its policy pieces and the native lane's proxy. */
export { createEgressBridge, DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_RESPONSE_BYTES } from './bridge.js';
export type { EgressBridge, EgressBridgeOptions, EgressFetchOptions, RedirectMode } from './bridge.js';
export { createEgressProxy } from './proxy.js';
export type { EgressProxy, EgressProxyOptions } from './proxy.js';
export { createEgressGate, DEFAULT_MAX_REQUESTS_PER_EXECUTION } from './egress-gate.js';
export type { Admission, EgressGate, EgressGateOptions } from './egress-gate.js';
export { entryMatches, findAllowEntry, parseAllowEntry, parseAllowList } from './allow-list.js';
export type { AllowEntry, AllowEntryResult, AllowList } from './allow-list.js';
export { checkAddress, classifyAddress, parseAddressRanges } from './address-policy.js';
export type { AddressPolicy, AddressVerdict } from './address-policy.js';
export { parseTarget } from './target.js';
export type { EgressTarget } from './target.js';
export { systemLookup } from './resolve.js';
export type { EgressLookup, ResolvedAddress } from './resolve.js';
