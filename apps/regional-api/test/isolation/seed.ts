import { TestOrg } from '@medgenie/testing';
import { TestRegion } from '../support';
import { CASE_SETS } from './case-sets';
import { Ids, IsolationContext } from './matrix';

export interface OrgMatrixSeed {
  /** The victim: two clinics, a staff member in its second clinic, three patients, and every set's rows. */
  a: TestOrg;
  /** The caller: one clinic, two patients, and every set's rows. */
  b: TestOrg;
  ids: Ids;
  aPatientIds: string[];
}

/**
 * The organization matrix's world, made through the API: orgs A and B, their patients, and what
 * each case set's `seed` adds (core first). A's clinical rows are in its second clinic.
 */
export async function seedOrgMatrix(region: TestRegion): Promise<OrgMatrixSeed> {
  const ids: Ids = { a: {}, b: {} };
  const aPatientIds: string[] = [];
  const [a, b] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
  const staff = await a.addMember('staff', [a.clinicIds[1]]);
  for (const [org, names] of [
    [a, ['Anil', 'Asha', 'Arjun']],
    [b, ['Bela', 'Bharat']],
  ] as const) {
    for (const [i, name] of names.entries()) {
      const res = await region.client.post<{ id: string }>(
        '/v1/patients',
        { firstName: name, lastName: 'Common', mobileNumber: `+91900000000${i}` },
        { token: org.admin.token },
      );
      if (res.status !== 201) throw new Error(`seeding a patient answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (org === a) aPatientIds.push(res.body.id);
      else ids.b.patient ??= res.body.id;
    }
  }
  Object.assign(ids.a, { patient: aPatientIds[0], clinic: a.clinicIds[1], membership: staff.membershipId });
  Object.assign(ids.b, { clinic: b.clinicIds[0], membership: b.admin.membershipId });
  const ctx: IsolationContext = { region, a, b, ids };
  for (const [, set] of CASE_SETS) {
    const seeded = await set.seed?.(ctx);
    Object.assign(ids.a, seeded?.a ?? {});
    Object.assign(ids.b, seeded?.b ?? {});
  }
  return { a, b, ids, aPatientIds };
}
