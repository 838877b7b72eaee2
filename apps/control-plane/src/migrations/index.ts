import { ControlPlaneSchemaV11763900000000 } from './1763900000000-control-plane-schema-v1';
import { OrganizationSuspension1764600000000 } from './1764600000000-organization-suspension';

export const controlPlaneMigrations = [ControlPlaneSchemaV11763900000000, OrganizationSuspension1764600000000];
