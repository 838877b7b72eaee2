import { AuditEvent } from '../audit/audit-event.entity';
import { Clinic } from '../clinics/clinic.entity';
import { Membership, MembershipClinic } from '../memberships/membership.entity';
import { Organization } from '../organizations/organization.entity';
import { Patient } from '../patients/patient.entity';

export const regionalEntities = [Organization, Clinic, Membership, MembershipClinic, Patient, AuditEvent];
