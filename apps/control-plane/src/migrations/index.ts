import { ControlPlaneSchemaV11763900000000 } from './1763900000000-control-plane-schema-v1';
import { OrganizationSuspension1764600000000 } from './1764600000000-organization-suspension';
import { FeatureFlags1764710000000 } from './1764710000000-feature-flags';
import { UsageDaily1764820000000 } from './1764820000000-usage-daily';
import { MaintenanceFlag1764830000000 } from './1764830000000-maintenance-flag';
import { Billing1764850000000 } from './1764850000000-billing';
import { DomainVerification1764860000000 } from './1764860000000-domain-verification';
import { PasswordResetAndMail1764870000000 } from './1764870000000-password-reset-and-mail';
import { Mfa1764880000000 } from './1764880000000-mfa';
import { EndedSessions1764890000000 } from './1764890000000-ended-sessions';
import { UnknownLoginFailures1764891000000 } from './1764891000000-unknown-login-failures';
import { UsageRevenue1764892000000 } from './1764892000000-usage-revenue';
import { RemovedMembers1764893000000 } from './1764893000000-removed-members';

export const controlPlaneMigrations = [ControlPlaneSchemaV11763900000000, OrganizationSuspension1764600000000, FeatureFlags1764710000000, UsageDaily1764820000000, MaintenanceFlag1764830000000, Billing1764850000000, DomainVerification1764860000000, PasswordResetAndMail1764870000000, Mfa1764880000000, EndedSessions1764890000000, UnknownLoginFailures1764891000000, UsageRevenue1764892000000, RemovedMembers1764893000000];
