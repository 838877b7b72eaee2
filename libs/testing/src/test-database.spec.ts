import { assertTestDatabaseName } from './test-database';

describe('assertTestDatabaseName', () => {
  it('accepts databases whose name says they are for tests', () => {
    expect(() => assertTestDatabaseName('medgenie_test')).not.toThrow();
    expect(() => assertTestDatabaseName('ci_test_regional')).not.toThrow();
  });

  it('refuses any other database', () => {
    for (const name of ['medgenie', 'postgres', 'medgenie_region_in', 'production']) {
      expect(() => assertTestDatabaseName(name)).toThrow(/refusing/);
    }
  });
});
