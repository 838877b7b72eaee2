import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { MissingTenantContextError, RequestContext } from './request-context';
import { requestIdFrom } from './tenancy.module';

describe('RequestContext', () => {
  const cls = ClsServiceManager.getClsService() as ClsService;
  const context = new RequestContext(cls);

  it('throws instead of returning a null tenant outside a request', () => {
    expect(() => context.orgId).toThrow(MissingTenantContextError);
    expect(RequestContext.snapshot()).toEqual({});
  });

  it('throws inside a request that has no tenant yet, and answers once one is set', async () => {
    await cls.run(async () => {
      expect(() => context.orgId).toThrow(MissingTenantContextError);
      context.setIdentity({ regionId: 'in', orgId: 'org-1', userId: 'user-1', tokenRole: 'staff', sessionId: '00000000-0000-4000-8000-000000000001' });
      context.setMembership({ id: 'm-1', role: 'staff', clinics: ['c-1'] });
      expect(context.orgId).toBe('org-1');
      expect(context.canAccessClinic('c-1')).toBe(true);
      expect(context.canAccessClinic('c-2')).toBe(false);
    });
  });
});

describe('requestIdFrom', () => {
  it("keeps a caller's sane request id and replaces anything else", () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id\nwith newline')).not.toContain('\n');
    expect(requestIdFrom('x'.repeat(500))).toHaveLength(36);
    expect(requestIdFrom(undefined)).toHaveLength(36);
  });
});
