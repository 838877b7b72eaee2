import 'reflect-metadata';
import { runMigrateCommand } from '@medgenie/database';
import { migrateRegionalDatabase } from './database/data-source';

/** `nx run regional-api:migrate`: applies pending migrations as the owner role (DATABASE_OWNER_URL). */
runMigrateCommand(migrateRegionalDatabase);
