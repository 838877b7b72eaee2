import 'reflect-metadata';
import { migrateControlPlaneDatabase } from './database/data-source';

async function main(): Promise<void> {
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) {
    process.stderr.write('DATABASE_OWNER_URL is required: migrations run as the schema owner role\n');
    process.exit(78);
  }
  const applied = await migrateControlPlaneDatabase(url);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
}

main().catch((err) => {
  process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});
