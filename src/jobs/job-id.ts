/**
 * Job ids: `job_` + ms timestamp + 80 random bits, so an id cannot be guessed from another one (an id
 * is the only thing between a client and a job's result). Web Crypto, so it runs anywhere.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newJobId(): string {
  const random = new Uint8Array(16);
  crypto.getRandomValues(random);
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 36];
  return `job_${Date.now().toString(36)}${tail}`;
}
