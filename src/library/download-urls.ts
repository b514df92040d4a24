/**
 * Signed, expiring download URLs for library files: `<public base>/v1/library/download/<token>`, where the
 * token is `<payload>.<signature>` (both base64url): the payload names the project, the file and the expiry
 * (Unix seconds), the signature is HMAC-SHA256 over the payload with the service's signing key. Whoever
 * holds the URL may read that one file until it expires, with no key: the URL is the credential.
 *
 * The key comes from ISOLA_URL_SIGNING_KEY (every node of a cluster must share it, or a URL made on one
 * node is refused by the others) or is drawn at random per process (URLs die with the process).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsolaError } from '../contract/errors.js';

/** The route a signed URL names; the only path the egress bridge serves in-process on the service's origin. */
export const DOWNLOAD_PATH_PREFIX = '/v1/library/download/';
/** Both halves base64url, bounded: a path the bridge recognises can hold nothing else (no `/`, `.`, `%`). */
const TOKEN = /^[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{43}$/;
const PROJECT = /^[A-Za-z0-9_-]{1,100}$/;
const FILE_ID = /^file_[0-9a-f]{32}$/;
export const DEFAULT_URL_TTL_S = 3600;
export const MAX_URL_TTL_S = 7 * 24 * 3600;
const MIN_KEY_CHARS = 32;

export interface SignedUrl {
  url: string;
  /** ISO 8601. */
  expires_at: string;
}

export interface DownloadUrlsOptions {
  /** The signing key (ISOLA_URL_SIGNING_KEY); at least 32 characters. Default: 32 random bytes. */
  key?: string;
  /** Base URL of the service as outsiders reach it, e.g. https://isola.example.com; may be set later. */
  baseUrl?: string;
  ttlSeconds?: number;
  now?: () => number;
}

export class DownloadUrls {
  private readonly key: Buffer;
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private base: { origin: string; path: string } | undefined;

  constructor(options: DownloadUrlsOptions = {}) {
    if (options.key !== undefined && options.key.length < MIN_KEY_CHARS) {
      throw new RangeError(`ISOLA_URL_SIGNING_KEY must be at least ${MIN_KEY_CHARS} characters, got ${options.key.length}`);
    }
    this.key = options.key === undefined ? randomBytes(32) : Buffer.from(options.key, 'utf8');
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_URL_TTL_S;
    this.now = options.now ?? Date.now;
    if (options.baseUrl !== undefined) this.setBaseUrl(options.baseUrl);
  }

  /** The service's public origin (and path prefix, if it sits under one), known once it listens. */
  setBaseUrl(value: string): void {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`ISOLA_PUBLIC_URL must be http(s), got ${JSON.stringify(value)}`);
    if (url.username || url.password || url.search || url.hash) throw new RangeError(`ISOLA_PUBLIC_URL must be a bare origin or path, got ${JSON.stringify(value)}`);
    // Kept as a string: a URL object turns an empty path back into "/".
    this.base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
  }

  /** A URL for one file of one project, valid for `ttlSeconds` (default the service's, at most 7 days). */
  sign(project: string, file: string, ttlSeconds = this.ttlSeconds): SignedUrl {
    if (!this.base) throw new IsolaError('internal', 'The service has no public URL yet: download URLs are made once it listens');
    const ttl = Math.min(Math.max(1, Math.floor(ttlSeconds)), MAX_URL_TTL_S);
    const expires = Math.floor(this.now() / 1000) + ttl;
    const payload = Buffer.from(JSON.stringify([project, file, expires]), 'utf8').toString('base64url');
    const token = `${payload}.${this.mac(payload).toString('base64url')}`;
    return { url: `${this.base.origin}${this.base.path}${DOWNLOAD_PATH_PREFIX}${token}`, expires_at: new Date(expires * 1000).toISOString() };
  }

  /** The project and file a token grants, or download_url_invalid (403) / download_url_expired (410). */
  verify(token: string): { project: string; file: string } {
    const invalid = () => new IsolaError('download_url_invalid', 'This download URL is not valid (altered, or signed with another key)');
    if (!TOKEN.test(token)) throw invalid();
    const [payload = '', signature = ''] = token.split('.');
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
    const [project, file, expires] = parsed as unknown[];
    if (typeof project !== 'string' || !PROJECT.test(project) || typeof file !== 'string' || !FILE_ID.test(file) || !Number.isSafeInteger(expires)) throw invalid();
    if ((expires as number) * 1000 <= this.now()) {
      throw new IsolaError('download_url_expired', `This download URL expired at ${new Date((expires as number) * 1000).toISOString()}; ask for a new one`);
    }
    return { project, file };
  }

  /**
   * The token when `url` is exactly a signed-download URL of this service (same scheme, host, port and
   * base path; nothing after the token; no credentials, query or fragment), else undefined. The bridge
   * serves only these in-process; every other URL of the service's origin goes through the usual policy.
   */
  tokenOf(url: URL): string | undefined {
    if (!this.base || url.origin !== this.base.origin || url.username || url.password || url.search || url.hash) return undefined;
    const prefix = `${this.base.path}${DOWNLOAD_PATH_PREFIX}`;
    if (!url.pathname.startsWith(prefix)) return undefined;
    const token = url.pathname.slice(prefix.length);
    return TOKEN.test(token) ? token : undefined;
  }

  /** The origin guest code fetches signed URLs from (lanes let it through their no-network shortcut). */
  get origin(): string | undefined {
    return this.base?.origin;
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
