import { RegionalSchemaV11763800000000 } from './1763800000000-regional-schema-v1';
import { ClinicalCore1764000000000 } from './1764000000000-clinical-core';

/** Every regional migration, in order. The owner role runs them; see migrate.ts. */
export const regionalMigrations = [RegionalSchemaV11763800000000, ClinicalCore1764000000000];
