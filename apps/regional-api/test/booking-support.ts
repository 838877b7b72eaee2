import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { testDb, TestRegion } from './support';

/**
 * Fixtures for appointments and prescriptions: doctor profiles, where they practise, patients
 * and medicines. Doctor rows and their clinics are written as the superuser (what provisioning
 * and the doctors API leave behind), never through the app role.
 */

/** The doctor profile of a membership (made when provisioning or the doctors feature has not). */
export async function doctorOf(orgId: string, membershipId: string): Promise<string> {
  return withClient(testDb().adminUrl, async (c) => {
    await c.query(
      `insert into doctors (organization_id, membership_id) values ($1, $2) on conflict (organization_id, membership_id) do nothing`,
      [orgId, membershipId],
    );
    const { rows } = await c.query<{ id: string }>('select id from doctors where organization_id = $1 and membership_id = $2', [orgId, membershipId]);
    return rows[0].id;
  });
}

/** Says the doctor practises at these clinics. */
export async function practiseAt(orgId: string, doctorId: string, ...clinicIds: string[]): Promise<void> {
  await withClient(testDb().adminUrl, async (c) => {
    for (const clinicId of clinicIds) {
      await c.query(
        `insert into doctor_clinics (organization_id, doctor_id, clinic_id) values ($1, $2, $3) on conflict do nothing`,
        [orgId, doctorId, clinicId],
      );
    }
  });
}

/** A new member with the doctor role and its profile, practising at the given clinics. */
export async function addDoctor(org: TestOrg, clinicIds: string[]) {
  const member = await org.addMember('doctor', clinicIds);
  const doctorId = await doctorOf(org.orgId, member.membershipId);
  await practiseAt(org.orgId, doctorId, ...clinicIds);
  return { ...member, doctorId };
}

let patientSeq = 0;

export async function createPatient(region: TestRegion, token: string, firstName = 'Pat'): Promise<string> {
  patientSeq += 1;
  const mobileNumber = `+9197${String(Date.now() % 1e6).padStart(6, '0')}${String(patientSeq).padStart(2, '0')}`;
  const res = await region.client.post<{ id: string }>('/v1/patients', { firstName, lastName: `P${patientSeq}`, mobileNumber }, { token });
  if (res.status !== 201) throw new Error(`creating a patient answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export interface MedicineRow {
  id: string;
  name: string;
}

/** Global medicines (the seeded catalogue; a few are added when the catalogue is not there). */
export async function globalMedicines(count = 6): Promise<MedicineRow[]> {
  return withClient(testDb().adminUrl, async (c) => {
    const read = () =>
      c.query<MedicineRow>('select id, name from medicines where organization_id is null and is_active order by name limit $1', [count]);
    let { rows } = await read();
    if (rows.length < count) {
      for (let i = 0; i < count; i += 1) {
        await c.query(
          `insert into medicines (organization_id, name, generic_name, form, strength) values (null, $1, $2, 'tablet', '500 mg') on conflict do nothing`,
          [`Testamol ${i}`, `testamol ${i}`],
        );
      }
      ({ rows } = await read());
    }
    return rows;
  });
}

/** A medicine of the org's own, written as the superuser. */
export async function orgMedicine(orgId: string, name: string): Promise<MedicineRow> {
  return withClient(testDb().adminUrl, async (c) => {
    const { rows } = await c.query<MedicineRow>(
      `insert into medicines (organization_id, name, form, strength) values ($1, $2, 'syrup', '5 ml') returning id, name`,
      [orgId, name],
    );
    return rows[0];
  });
}
