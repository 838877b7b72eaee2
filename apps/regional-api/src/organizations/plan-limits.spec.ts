import { TransactionHost } from '@medgenie/database';
import { DomainError } from '@medgenie/http';
import { assertWithinLimit, planLimitMessage } from './plan-limits';
import { PlanLimitsRepository } from './plan-limits.repository';

describe('plan limits', () => {
  it('names what the plan allows in the singular for one, the plural otherwise', () => {
    expect(planLimitMessage('maxClinics', 1)).toBe('Your plan allows 1 clinic; upgrade to add more');
    expect(planLimitMessage('maxClinics', 2)).toBe('Your plan allows 2 clinics; upgrade to add more');
    expect(planLimitMessage('maxDoctors', 1)).toBe('Your plan allows 1 doctor; upgrade to add more');
    expect(planLimitMessage('maxDoctors', 5)).toBe('Your plan allows 5 doctors; upgrade to add more');
    expect(planLimitMessage('maxPatients', 1)).toBe('Your plan allows 1 patient; upgrade to add more');
    expect(planLimitMessage('maxPatients', 0)).toBe('Your plan allows 0 patients; upgrade to add more');
    expect(planLimitMessage('maxPatients', 500)).toBe('Your plan allows 500 patients; upgrade to add more');
  });

  it('refuses a create at the limit with 402 PLAN_LIMIT_REACHED and that message', async () => {
    const tx = { sql: { orgId: 'org', query: jest.fn().mockResolvedValue([{ max: 1 }]) } } as unknown as TransactionHost;
    const limits = new PlanLimitsRepository(tx);
    const err = await assertWithinLimit(limits, 'maxClinics', async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'PLAN_LIMIT_REACHED', status: 402, message: 'Your plan allows 1 clinic; upgrade to add more' });
    await expect(assertWithinLimit(limits, 'maxClinics', async () => 0)).resolves.toBeUndefined();
  });
});
