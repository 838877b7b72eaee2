import { ApiClient } from './client';
import type {
  AuditEvent,
  CustomDomain,
  Flag,
  FlagReach,
  LoginResult,
  MfaProof,
  MfaSetup,
  MfaStatus,
  Organization,
  OrganizationBilling,
  OrganizationPage,
  OrganizationUsage,
  OrgStatus,
  Plan,
  PlanChange,
  Region,
  RegionOverview,
  SignupBody,
  SignupResult,
  StatusChange,
  TokenPairResult,
  UsageAggregates,
  UsageHistory,
} from './types';

/** Days `YYYY-MM-DD`, both included; the API's default is the 30 days up to today. */
export interface DayRange {
  from?: string;
  to?: string;
}

export interface OrganizationFilter {
  search?: string;
  regionId?: string;
  plan?: Plan | '';
  status?: OrgStatus | '';
  limit: number;
  offset: number;
}

/** The control plane's routes the console calls, typed. */
export function medgenieApi(client: ApiClient) {
  const orgPath = (id: string) => `/v1/admin/organizations/${encodeURIComponent(id)}`;
  return {
    auth: {
      login: (email: string, password: string) => client.post<LoginResult>('/v1/auth/login', { email, password }, { auth: false }),
      loginMfa: (challengeToken: string, answer: { code: string } | { recoveryCode: string }) =>
        client.post<TokenPairResult>('/v1/auth/login/mfa', { challengeToken, ...answer }, { auth: false }),
      mfaSetup: (enrollmentToken: string) => client.post<MfaSetup>('/v1/auth/mfa/setup', { enrollmentToken }, { auth: false }),
      mfaActivate: (enrollmentToken: string, code: string) => client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/activate', { enrollmentToken, code }, { auth: false }),
      changePassword: (email: string, currentPassword: string, newPassword: string, secondFactor: { code?: string; recoveryCode?: string } = {}) =>
        client.post<void>('/v1/auth/password', { email, currentPassword, newPassword, ...secondFactor }, { auth: false }),
      mfaStatus: () => client.get<MfaStatus>('/v1/auth/mfa'),
      /** Setup when signed in: the password is asked again. */
      mfaSetupSignedIn: (password: string) => client.post<MfaSetup>('/v1/auth/mfa/setup', { password }),
      mfaActivateSignedIn: (code: string) => client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/activate', { code }),
      newRecoveryCodes: (code: string) => client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/recovery-codes', { code }),
      mfaDisable: (proof: MfaProof) => client.delete<void>('/v1/auth/mfa', proof),
    },
    regions: () => client.get<Region[]>('/v1/regions', { auth: false }),
    regionsOverview: () => client.get<{ items: RegionOverview[] }>('/v1/admin/regions'),
    signup: (body: SignupBody) => client.post<SignupResult>('/v1/signup', body, { auth: false }),
    organizations: {
      list: (filter: OrganizationFilter, signal?: AbortSignal) => client.get<OrganizationPage>('/v1/admin/organizations', { query: { ...filter }, signal }),
      get: (id: string) => client.get<Organization>(orgPath(id)),
      suspend: (id: string, reason: string) => client.post<StatusChange>(`${orgPath(id)}/suspend`, reason ? { reason } : {}),
      reactivate: (id: string) => client.post<StatusChange>(`${orgPath(id)}/reactivate`, {}),
      changePlan: (id: string, plan: Plan, force = false) => client.patch<PlanChange>(`${orgPath(id)}/plan`, force ? { plan, force } : { plan }),
      domains: (id: string) => client.get<{ organizationId: string; domains: CustomDomain[] }>(`${orgPath(id)}/domains`),
      setDomains: (id: string, domains: string[]) => client.patch<{ organizationId: string; domains: CustomDomain[] }>(`${orgPath(id)}/domains`, { domains }),
      usage: (id: string, range: DayRange = {}) => client.get<OrganizationUsage>(`${orgPath(id)}/usage`, { query: { ...range } }),
      billing: (id: string) => client.get<OrganizationBilling>(`${orgPath(id)}/billing`),
    },
    usage: {
      aggregates: (by: 'region' | 'plan') => client.get<UsageAggregates>('/v1/admin/usage/aggregates', { query: { by } }),
      history: (by: 'region' | 'plan', range: DayRange = {}) => client.get<UsageHistory>('/v1/admin/usage/history', { query: { by, ...range } }),
      collect: () => client.post<{ date: string; regions: { regionId: string; organizations: number; error?: string }[] }>('/v1/admin/usage/collect', {}),
    },
    flags: {
      list: () => client.get<{ items: Flag[] }>('/v1/admin/flags'),
      put: (flag: Pick<Flag, 'name' | 'enabled' | 'strategies'> & { description?: string }) =>
        client.put<Flag>(`/v1/admin/flags/${encodeURIComponent(flag.name)}`, { enabled: flag.enabled, description: flag.description, strategies: flag.strategies }),
      toggle: (name: string, enabled: boolean) => client.patch<Flag>(`/v1/admin/flags/${encodeURIComponent(name)}`, { enabled }),
      target: (name: string, targeting: Pick<Flag, 'enabled' | 'strategies'>) => client.patch<Flag>(`/v1/admin/flags/${encodeURIComponent(name)}`, targeting),
      preview: (definition: Pick<Flag, 'enabled' | 'strategies'>) => client.post<FlagReach>('/v1/admin/flags/preview', definition),
    },
    audit: (query: { limit?: number; action?: string; targetId?: string }) => client.get<AuditEvent[]>('/v1/admin/audit', { query }),
  };
}

export type MedgenieApi = ReturnType<typeof medgenieApi>;
