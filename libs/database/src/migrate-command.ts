/**
 * An app's `migrate` command: applies its pending migrations as the schema owner role
 * (DATABASE_OWNER_URL) and says what it applied. Exits 78 without the URL, 1 when a migration fails.
 */
export function runMigrateCommand(migrate: (ownerUrl: string) => Promise<string[]>): void {
  const main = async (): Promise<void> => {
    const url = process.env.DATABASE_OWNER_URL;
    if (!url) {
      process.stderr.write('DATABASE_OWNER_URL is required: migrations run as the schema owner role\n');
      process.exit(78);
    }
    const applied = await migrate(url);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  };
  main().catch((err) => {
    process.stderr.write(`migration failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
