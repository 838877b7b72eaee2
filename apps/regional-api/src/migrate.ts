import 'reflect-metadata';
import { migrateRegionalDatabase } from './database/data-source';

/** `nx run regional-api:migrate`: applies pending migrations as the owner role (DATABASE_OWNER_URL). */
async function main(): Promise<void> {
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) {
    process.stderr.write('DATABASE_OWNER_URL is required: migrations run as the schema owner role\n');
    process.exit(78);
  }
  const applied = await migrateRegionalDatabase(url);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
}

main().catch((err) => {
  process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});
