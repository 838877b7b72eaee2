import 'reflect-metadata';
import { runMigrateCommand } from '@medgenie/database';
import { migrateControlPlaneDatabase } from './database/data-source';

runMigrateCommand(migrateControlPlaneDatabase);
