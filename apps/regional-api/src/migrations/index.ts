import { RegionalSchemaV11763800000000 } from './1763800000000-regional-schema-v1';
import { ClinicalCore1764000000000 } from './1764000000000-clinical-core';
import { GlobalMedicineCatalogue1764000100000 } from './1764000100000-global-medicine-catalogue';
import { MedicineReferencesInScope1764000100001 } from './1764000100001-medicine-references-in-scope';
import { DentalAndCaseStudies1764000200000 } from './1764000200000-dental-and-case-studies';
import { PrescriptionIntegrity1764000300000 } from './1764000300000-prescription-integrity';
import { BeginRequest1764000400000 } from './1764000400000-begin-request';
import { IdempotencyKeys1764000500000 } from './1764000500000-idempotency-keys';
import { AmendmentReason1764000600000 } from './1764000600000-amendment-reason';
import { RecordsStayInTheirClinic1764000700000 } from './1764000700000-records-stay-in-their-clinic';
import { UsageDaily1764000900000 } from './1764000900000-usage-daily';
import { OrganizationIntegrations1764001000000 } from './1764001000000-organization-integrations';
import { OrganizationTrialEndsAt1764001100000 } from './1764001100000-organization-trial-ends-at';
import { StorageLimit1764001200000 } from './1764001200000-storage-limit';
import { BeginRequestTrial1764001300000 } from './1764001300000-begin-request-trial';
import { PaymentOverdueHold1764001600000 } from './1764001600000-payment-overdue-hold';
import { RevokedSessions1764001700000 } from './1764001700000-revoked-sessions';

/** Every regional migration, in order. The owner role runs them; see migrate.ts. */
export const regionalMigrations = [
  RegionalSchemaV11763800000000,
  ClinicalCore1764000000000,
  GlobalMedicineCatalogue1764000100000,
  MedicineReferencesInScope1764000100001,
  DentalAndCaseStudies1764000200000,
  PrescriptionIntegrity1764000300000,
  BeginRequest1764000400000,
  IdempotencyKeys1764000500000,
  AmendmentReason1764000600000,
  RecordsStayInTheirClinic1764000700000,
  UsageDaily1764000900000,
  OrganizationIntegrations1764001000000,
  OrganizationTrialEndsAt1764001100000,
  StorageLimit1764001200000,
  BeginRequestTrial1764001300000,
  PaymentOverdueHold1764001600000,
  RevokedSessions1764001700000,
];
