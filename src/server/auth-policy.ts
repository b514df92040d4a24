/**
 * When `isola serve` may run without keys. On a loopback address only this machine reaches the port, so
 * no keys is today's behaviour; on any other address the service refuses to start without
 * ISOLA_ADMIN_TOKEN unless the operator says `--auth off`, so exposing an open sandbox is a deliberate act.
 */
import { isIP } from 'node:net';

export type AuthSetting = 'on' | 'off';

export class AuthPolicyError extends Error {
  override readonly name = 'AuthPolicyError';
}

/** The shortest admin token accepted: a guessable one would open every project. */
export const MIN_ADMIN_TOKEN_CHARS = 16;

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
  }
  return false;
}

/** Whether projects are on; throws AuthPolicyError (one line) when the settings do not allow starting. */
export function projectsEnabled(input: { host: string; adminToken: string | undefined; auth: AuthSetting | undefined }): boolean {
  const { host, adminToken, auth } = input;
  if (adminToken !== undefined) {
    if (auth === 'off') throw new AuthPolicyError('--auth off contradicts ISOLA_ADMIN_TOKEN: unset one of them');
    if (adminToken.length < MIN_ADMIN_TOKEN_CHARS) throw new AuthPolicyError(`ISOLA_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_CHARS} characters, got ${adminToken.length}`);
    return true;
  }
  if (auth === 'on') throw new AuthPolicyError('--auth on needs ISOLA_ADMIN_TOKEN (the admin API token that creates projects and keys)');
  if (auth !== 'off' && !isLoopbackHost(host)) {
    throw new AuthPolicyError(`refusing to listen on ${host} without keys: set ISOLA_ADMIN_TOKEN, or pass --auth off to serve anyone who reaches the port`);
  }
  return false;
}
