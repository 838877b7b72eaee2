import { Injectable } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';

/** Which clinics of the organization the caller may touch: all of them, or a list. */
export type ClinicAccess = '*' | readonly string[];

export interface CallerIdentity {
  regionId: string;
  orgId: string;
  userId: string;
  /** Role claimed by the token; the region's membership is what authorizes. */
  tokenRole: string;
  /** The token's session (`sid`): ended sessions are refused in the request's first statement. */
  sessionId: string;
}

export interface ContextSnapshot {
  requestId?: string;
  regionId?: string;
  orgId?: string;
  userId?: string;
}

/** Raised when code asks for a tenant value outside a request that carries one. */
export class MissingTenantContextError extends Error {
  constructor(what: string) {
    super(`No ${what} in the request context: tenant data accessed outside a tenant request`);
    this.name = 'MissingTenantContextError';
  }
}

const KEY = {
  requestId: 'mg.requestId',
  regionId: 'mg.regionId',
  orgId: 'mg.orgId',
  userId: 'mg.userId',
  tokenRole: 'mg.tokenRole',
  sessionId: 'mg.sessionId',
  role: 'mg.role',
  membershipId: 'mg.membershipId',
  clinics: 'mg.clinics',
} as const;

/**
 * The request context (region, org, clinics, user, request id) held in AsyncLocalStorage by
 * nestjs-cls. Getters throw when the value is missing: there is never a null tenant.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService) {}

  private must<T>(key: string, what: string): T {
    const value = (this.cls.isActive() ? this.cls.get(key) : undefined) as T | undefined;
    if (value === undefined || value === null) throw new MissingTenantContextError(what);
    return value;
  }

  get requestId(): string {
    return this.must(KEY.requestId, 'request id');
  }
  get regionId(): string {
    return this.must(KEY.regionId, 'region');
  }
  get orgId(): string {
    return this.must(KEY.orgId, 'organization');
  }
  get userId(): string {
    return this.must(KEY.userId, 'user');
  }
  get sessionId(): string {
    return this.must(KEY.sessionId, 'session');
  }
  get tokenRole(): string {
    return this.must(KEY.tokenRole, 'token role');
  }
  /** The caller's role in this organization, from the region's membership. */
  get role(): string {
    return this.must(KEY.role, 'membership role');
  }
  get membershipId(): string {
    return this.must(KEY.membershipId, 'membership');
  }
  get clinicAccess(): ClinicAccess {
    return this.must(KEY.clinics, 'clinic access');
  }

  get hasIdentity(): boolean {
    return this.cls.isActive() && this.cls.get(KEY.orgId) !== undefined;
  }
  get hasMembership(): boolean {
    return this.cls.isActive() && this.cls.get(KEY.role) !== undefined;
  }

  canAccessClinic(clinicId: string): boolean {
    const access = this.clinicAccess;
    return access === '*' || access.includes(clinicId);
  }

  setRequestId(id: string): void {
    this.cls.set(KEY.requestId, id);
  }
  setIdentity(identity: CallerIdentity): void {
    this.cls.set(KEY.regionId, identity.regionId);
    this.cls.set(KEY.orgId, identity.orgId);
    this.cls.set(KEY.userId, identity.userId);
    this.cls.set(KEY.tokenRole, identity.tokenRole);
    this.cls.set(KEY.sessionId, identity.sessionId);
  }
  setMembership(membership: { id: string; role: string; clinics: ClinicAccess }): void {
    this.cls.set(KEY.membershipId, membership.id);
    this.cls.set(KEY.role, membership.role);
    this.cls.set(KEY.clinics, membership.clinics);
  }

  /** What the logger may attach to a line: identifiers only, never patient data. */
  static snapshot(): ContextSnapshot {
    const cls = ClsServiceManager.getClsService();
    return cls?.isActive() ? snapshotOf(cls.get()) : {};
  }

  /**
   * Keeps the request's context on the raw request, for what runs after the request's async
   * context has ended (the request log, written when the response has been sent).
   */
  static attach(req: object, cls: ClsService): void {
    (req as { [REQUEST_STORE]?: unknown })[REQUEST_STORE] = cls.get();
  }

  /** `snapshot()` of the request that `attach` was given; empty for a request that never had a context. */
  static snapshotOfRequest(req: object): ContextSnapshot {
    const store = (req as { [REQUEST_STORE]?: unknown })[REQUEST_STORE];
    return store ? snapshotOf(store) : {};
  }
}

const REQUEST_STORE = Symbol('mg.requestContext');

/** Reads the identifiers from a context store (nestjs-cls keeps dotted keys as nested objects). */
function snapshotOf(store: unknown): ContextSnapshot {
  const mg = (store as { mg?: Record<string, unknown> } | undefined)?.mg;
  if (!mg) return {};
  const pick = (key: string) => mg[key.slice('mg.'.length)] as string | undefined;
  return { requestId: pick(KEY.requestId), regionId: pick(KEY.regionId), orgId: pick(KEY.orgId), userId: pick(KEY.userId) };
}
