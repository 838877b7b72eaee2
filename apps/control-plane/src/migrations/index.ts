import { ControlPlaneSchemaV11763900000000 } from './1763900000000-control-plane-schema-v1';

export const controlPlaneMigrations = [ControlPlaneSchemaV11763900000000];
