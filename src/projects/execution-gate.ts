/**
 * The one door every execution route goes through: who is calling (authenticate), and may this execution
 * start now (admit: key still valid, egress within the project's ceiling, quotas). Faces map its
 * IsolaErrors to their own wire shapes; none of them holds auth logic of its own.
 */
import { IsolaError } from '../contract/errors.js';
import { entriesOutsideCeiling } from '../egress/allow-ceiling.js';
import type { KeyId } from './api-key.js';
import type { KeyVerifier } from './key-verifier.js';
import type { ProjectLimiter } from './project-limiter.js';
import type { ProjectId } from './project-store.js';

/** What a request presented: `Authorization` (Bearer) or, for faces whose clients send it, an API key header. */
export interface Credentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export interface Principal {
  projectId: ProjectId;
  keyId: KeyId;
}

/** A started execution's scope; disposing it frees its concurrency slot. */
export interface Admission extends Disposable {
  /** The project it runs for; undefined when projects are off. */
  readonly project: ProjectId | undefined;
}

export interface ExecutionGate {
  /** Whether executions need a project key. */
  readonly enabled: boolean;
  /** The caller's project; undefined when projects are off. Throws unauthorized or key_revoked. */
  authenticate(credentials: Credentials): Promise<Principal | undefined>;
  /** Throws key_revoked, egress_not_allowed or quota_exceeded. */
  admit(principal: Principal | undefined, allow: readonly string[]): Promise<Admission>;
  /** The project's concurrency quota, if it has one (a batch runs at most that many lines at once). */
  maxConcurrent(principal: Principal | undefined): number | undefined;
}

const OPEN_ADMISSION: Admission = { project: undefined, [Symbol.dispose]: () => undefined };

/** No projects: today's behaviour, anyone who reaches the port runs code. */
export const OPEN_GATE: ExecutionGate = {
  enabled: false,
  authenticate: async () => undefined,
  admit: async () => OPEN_ADMISSION,
  maxConcurrent: () => undefined,
};

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of `Authorization: Bearer <token>`; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

export class ProjectGate implements ExecutionGate {
  readonly enabled = true;

  constructor(
    private readonly verifier: KeyVerifier,
    private readonly limiter: ProjectLimiter,
  ) {}

  async authenticate(credentials: Credentials): Promise<Principal> {
    const token = bearerToken(credentials.authorization) ?? credentials.apiKey;
    if (!token) {
      throw new IsolaError('unauthorized', 'This Isola needs a project key: send Authorization: Bearer <project key>', {
        issues: [{ field: '(authorization)', message: 'missing' }],
      });
    }
    const { keyId, record } = await this.verifier.verify(token);
    return { projectId: record.projectId, keyId };
  }

  maxConcurrent(principal: Principal | undefined): number | undefined {
    return principal ? this.verifier.recheck(principal.keyId).quotas?.concurrent_executions : undefined;
  }

  async admit(principal: Principal | undefined, allow: readonly string[]): Promise<Admission> {
    if (!principal) throw new IsolaError('unauthorized', 'This Isola needs a project key', { issues: [{ field: '(authorization)', message: 'missing' }] });
    // The row again, not what authenticate() saw: a key revoked since (mid-batch, mid-queue) stops here.
    const record = this.verifier.recheck(principal.keyId);
    const quotas = record.quotas ?? {};
    if (quotas.egress_allow !== undefined) {
      const outside = entriesOutsideCeiling(allow, quotas.egress_allow);
      if (outside.length > 0) {
        const ceiling = quotas.egress_allow.length === 0 ? 'no network' : quotas.egress_allow.join(', ');
        throw new IsolaError('egress_not_allowed', `network.allow goes past project ${record.projectId}'s egress ceiling (${ceiling})`, {
          issues: outside.map(({ index, entry }) => ({ field: `network.allow.${index}`, message: `${entry} is not within the project's egress ceiling` })),
        });
      }
    }
    const lease = await this.limiter.admit(record.projectId, quotas);
    return { project: record.projectId, [Symbol.dispose]: () => lease.release() };
  }
}
