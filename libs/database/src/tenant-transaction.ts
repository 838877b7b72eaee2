import { DataSource, EntityManager } from 'typeorm';
import type { ClinicAccess } from '@medgenie/tenancy';
import { prepared, runPrepared } from './prepared';

export interface TenantSettings {
  orgId: string;
  userId: string | null;
  /** null: no clinic access yet (set later in the same transaction, e.g. from the membership). */
  clinics: ClinicAccess | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The text form of `app.clinic_ids`: `*` for every clinic of the org, otherwise a Postgres
 * uuid[] literal. Ids are checked here so the literal can only ever hold uuids.
 */
export function clinicIdsSetting(clinics: ClinicAccess | null): string {
  if (clinics === null) return '{}';
  if (clinics === '*') return '*';
  for (const id of clinics) {
    if (!UUID.test(id)) throw new Error('clinic access holds a value that is not a uuid');
  }
  return `{${clinics.join(',')}}`;
}

/**
 * Sets the tenant for the current transaction only (`is_local = true`), with bound parameters.
 * When the transaction ends Postgres drops the values, so a pooled connection never carries a
 * tenant into its next use.
 */
export const SET_TENANT_SQL =
  "select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.clinic_ids', $3, true)";
const SET_TENANT = prepared(SET_TENANT_SQL);

export async function setTenant(manager: EntityManager, tenant: TenantSettings): Promise<void> {
  if (!UUID.test(tenant.orgId)) throw new Error('organization id is not a uuid');
  await runPrepared(manager, SET_TENANT, [tenant.orgId, tenant.userId ?? '', clinicIdsSetting(tenant.clinics)]);
}

/** Runs `work` in one transaction whose first statement pins the tenant. */
export function runInTenantTransaction<T>(
  dataSource: DataSource,
  tenant: TenantSettings,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await setTenant(manager, tenant);
    return work(manager);
  });
}
