import { AuditEvent } from '../audit/audit-event.entity';
import { Clinic } from '../clinics/clinic.entity';
import { Membership, MembershipClinic } from '../memberships/membership.entity';
import { Organization } from '../organizations/organization.entity';
import { Patient } from '../patients/patient.entity';
import { appointmentEntities } from '../appointments/entities';
import { caseStudyEntities } from '../case-studies/entities';
import { dentalEntities } from '../dental/entities';
import { doctorEntities } from '../doctors/entities';
import { medicineEntities } from '../medicines/entities';
import { prescriptionEntities } from '../prescriptions/entities';
import { shortKeyEntities } from '../short-keys/entities';

export const regionalEntities = [
  Organization,
  Clinic,
  Membership,
  MembershipClinic,
  Patient,
  AuditEvent,
  ...doctorEntities,
  ...medicineEntities,
  ...shortKeyEntities,
  ...appointmentEntities,
  ...prescriptionEntities,
  ...dentalEntities,
  ...caseStudyEntities,
];
