/** Branded identifiers, so an execution id can never be passed where an environment hash is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ExecutionId = Brand<string, 'ExecutionId'>;
export type EnvironmentHash = Brand<string, 'EnvironmentHash'>;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A sortable, collision-resistant id: ms timestamp + 64 random bits. Uses Web Crypto, so it runs anywhere. */
export function newExecutionId(): ExecutionId {
  const random = new Uint8Array(10);
  crypto.getRandomValues(random);
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 36];
  return `ex_${Date.now().toString(36)}${tail}` as ExecutionId;
}

export function asEnvironmentHash(hex: string): EnvironmentHash {
  return hex as EnvironmentHash;
}
