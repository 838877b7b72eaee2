import { DataSource } from 'typeorm';
import { createControlPlaneDataSource } from '../src/database/data-source';
import { cpDb } from './support';

/**
 * The entities describe the schema the migrations build, column for column: TypeORM's own
 * schema diff between the two is empty. (Migrations own the schema; an entity that drifts from
 * them reads or writes columns that are not what they say.)
 */
describe('control-plane entities and migrations', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await createControlPlaneDataSource(cpDb().adminUrl, 1, 'medgenie-control-plane-schema-test').initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(() => dataSource?.destroy());

  it('leaves TypeORM nothing to change in the migrated schema', async () => {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });
});
