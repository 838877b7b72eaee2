import { randomUUID } from 'node:crypto';
import { createOrgPool, OrgScope, poolOptions, prepared, Sql } from '@medgenie/database';
import { TestOrg } from '@medgenie/testing';
import { membershipPin } from '../src/database/membership-pin';
import { withClient } from './db';
import { startPgBouncer } from './pgbouncer';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * OrgScope.run, the one way tenant work reaches the region's database: the tenant is pinned with
 * bound parameters in the round trip that opens the transaction, the work commits or rolls back
 * as a whole, and no connection goes back to the pool with a tenant or a transaction on it.
 */
describe('OrgScope', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let scope: OrgScope;
  const pool = () => createOrgPool({ url: testDb().appUrl, applicationName: 'org-scope-test', poolSize: 2, poolTimeoutMs: 1_000 });

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
    scope = new OrgScope(pool(), {
      preparedStatements: true,
      membershipPin,
    });
  });
  afterAll(async () => {
    await scope?.end();
    await region?.close();
  });

  const settings = (sql: Sql) =>
    sql.query<{ org: string; user: string; clinics: string; txid: string }>(
      `select current_setting('app.org_id', true) as org, current_setting('app.user_id', true) as "user",
              current_setting('app.clinic_ids', true) as clinics, txid_current()::text as txid`,
    );

  /** An OrgScope on a pool of its own that counts round trips (each query sent on a pooled client). */
  const countingScope = () => {
    const counting = pool();
    const roundTrips = { n: 0 };
    counting.on('acquire', (client) => {
      const query = client.query;
      client.query = ((...args: Parameters<typeof query>) => {
        roundTrips.n += 1;
        return query.apply(client, args);
      }) as typeof query;
    });
    return { counted: new OrgScope(counting, { preparedStatements: true, membershipPin }), roundTrips };
  };

  it('pins the org, user and clinics given, and every statement sees that org only', async () => {
    const seen = await scope.run({ orgId: a.orgId, userId: null, clinicIds: [a.clinicIds[0]] }, async (sql) => {
      const [s] = await settings(sql);
      const clinics = await sql.query<{ id: string }>('select id from clinics');
      return { ...s, clinics: clinics.map((c) => c.id), orgId: sql.orgId };
    });
    expect(seen).toMatchObject({ org: a.orgId, user: '', orgId: a.orgId, clinics: [a.clinicIds[0]] });
  });

  it("pins the clinics of the user's membership, read in the opening round trip", async () => {
    const staff = await a.addMember('staff', [a.clinicIds[1]]);
    const [membership, clinics] = await scope.run({ orgId: a.orgId, userId: staff.userId, clinicIds: 'membership' }, async (sql, opened) => [
      opened[0],
      (await sql.query<{ id: string }>('select id from clinics')).map((c) => c.id),
    ]);
    expect(membership).toEqual([expect.objectContaining({ membership_id: staff.membershipId, member_role: 'staff', org_status: 'active' })]);
    expect(clinics).toEqual([a.clinicIds[1]]);
    // A user of another org has no membership in this one: nothing is pinned but the org itself.
    const none = await scope.run({ orgId: a.orgId, userId: b.admin.userId, clinicIds: 'membership' }, async (sql, opened) => ({
      rows: opened[0],
      clinics: await sql.query('select id from clinics'),
    }));
    expect(none).toEqual({ rows: [], clinics: [] });
  });

  it('refuses a tenant that is not made of uuids, before anything reaches SQL', async () => {
    const work = jest.fn();
    await expect(scope.run({ orgId: `x' or true --`, userId: null, clinicIds: '*' }, work)).rejects.toThrow('not a pair of UUIDs');
    await expect(scope.run({ orgId: a.orgId, userId: 'nobody', clinicIds: '*' }, work)).rejects.toThrow('not a pair of UUIDs');
    await expect(scope.run({ orgId: a.orgId, userId: null, clinicIds: ['1; drop table clinics'] }, work)).rejects.toThrow('not a uuid');
    expect(work).not.toHaveBeenCalled();
  });

  it('commits what the work wrote, with the statements sent beside the commit, and rolls it all back when the work fails', async () => {
    const insert = (sql: Sql, lastName: string) =>
      sql.query(`insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Scope', $2, $3)`, [
        sql.orgId,
        lastName,
        `+9197${Math.floor(Math.random() * 1e8)}`,
      ]);
    const tenant = { orgId: a.orgId, userId: null, clinicIds: '*' as const };
    await scope.run(tenant, (sql) => insert(sql, 'Kept'), {
      commitWith: () => [{ text: `update patients set first_name = 'Committed' where organization_id = $1 and last_name = $2`, values: [a.orgId, 'Kept'] }],
    });
    await expect(
      scope.run(tenant, async (sql) => {
        await insert(sql, 'Dropped');
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    // A statement sent with the commit that fails takes the work's writes with it.
    await expect(
      scope.run(tenant, (sql) => insert(sql, 'DroppedToo'), { commitWith: () => [{ text: 'select 1/0', values: [] }] }),
    ).rejects.toThrow('division by zero');
    const names = await withClient(testDb().adminUrl, async (c) =>
      (await c.query(`select first_name, last_name from patients where organization_id = $1 and first_name in ('Scope', 'Committed')`, [a.orgId])).rows,
    );
    expect(names).toEqual([{ first_name: 'Committed', last_name: 'Kept' }]);
  });

  it('runs the statements sent with the opening in order, each with its own parameters, and stops at the first that fails', async () => {
    const rows = await scope.run({ orgId: b.orgId, userId: null, clinicIds: '*' }, async (_sql, opened) => opened.slice(1), {
      with: [
        { text: 'select $1::int + 1 as n', values: [41] },
        { text: 'select $1::text as s, $2::uuid as u', values: [`it's`, b.orgId] },
      ],
    });
    expect(rows).toEqual([[{ n: 42 }], [{ s: `it's`, u: b.orgId }]]);
    const work = jest.fn();
    await expect(
      scope.run({ orgId: b.orgId, userId: null, clinicIds: '*' }, work, {
        with: [
          { text: 'select 1/0', values: [] },
          { text: `insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Never', 'Never', '+919700000000')`, values: [b.orgId] },
        ],
      }),
    ).rejects.toThrow('division by zero');
    expect(work).not.toHaveBeenCalled();
    const never = await withClient(testDb().adminUrl, async (c) => (await c.query(`select count(*)::int as n from patients where first_name = 'Never'`)).rows[0].n);
    expect(never).toBe(0);
  });

  it('undoes a savepoint that failed and keeps the transaction going', async () => {
    const result = await scope.run({ orgId: b.orgId, userId: null, clinicIds: '*' }, async (sql) => {
      await expect(sql.savepoint(() => sql.query('select 1/0'))).rejects.toThrow('division by zero');
      const [{ n }] = await sql.query<{ n: number }>('select 2 as n');
      return n;
    });
    expect(result).toBe(2);
  });

  it('runs prepared statements, and a Sql kept beyond its work refuses to run', async () => {
    const statement = prepared('select count(*)::int as n from clinics where organization_id = $1');
    let kept: Sql | undefined;
    const n = await scope.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async (sql) => {
      kept = sql;
      await sql.run(statement, [sql.orgId]);
      return (await sql.run<{ n: number }>(statement, [sql.orgId]))[0].n;
    });
    expect(n).toBe(2);
    await expect(kept!.query('select 1')).rejects.toThrow('has ended');
  });

  describe('deferred writes (Sql.defer), as audit events are written', () => {
    const insertPatient = prepared(`insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Deferred', $2, $3)`);
    const defer = (sql: Sql, lastName: string, orgId = sql.orgId) => sql.defer(insertPatient, [orgId, lastName, `+9196${Math.floor(Math.random() * 1e8)}`]);
    const lastNames = (orgId: string) =>
      withClient(testDb().adminUrl, async (c) =>
        (await c.query(`select last_name from patients where organization_id = $1 and first_name = 'Deferred' order by last_name`, [orgId])).rows.map((r) => r.last_name as string),
      );
    const tenantOf = (orgId: string) => ({ orgId, userId: null, clinicIds: '*' as const });

    it('sends one ahead of the next statement, in its round trip and in order, and the last ones with the commit', async () => {
      const { counted, roundTrips } = countingScope();
      try {
        const seen = await counted.run(tenantOf(a.orgId), async (sql) => {
          defer(sql, 'DeferredFirst');
          defer(sql, 'DeferredSecond');
          const [{ n }] = await sql.query<{ n: number }>(`select count(*)::int as n from patients where first_name = 'Deferred' and last_name like 'DeferredF%'`);
          defer(sql, 'DeferredThird');
          return n;
        });
        // The statement after a deferred write sees it; begin, that statement, and the commit: three round trips for four statements and a commit.
        expect(seen).toBe(1);
        expect(roundTrips.n).toBe(3);
        expect(await lastNames(a.orgId)).toEqual(['DeferredFirst', 'DeferredSecond', 'DeferredThird']);
      } finally {
        await counted.end();
      }
    });

    it('fails the statement it rides with, or the commit, when it fails, and the transaction rolls back; a failed work drops it', async () => {
      const tenant = tenantOf(b.orgId);
      const bad = prepared('select 1/0');
      await expect(
        scope.run(tenant, async (sql) => {
          defer(sql, 'RolledBackA');
          sql.defer(bad, []);
          await sql.query('select 1');
        }),
      ).rejects.toThrow('division by zero');
      await expect(
        scope.run(tenant, async (sql) => {
          defer(sql, 'RolledBackB');
          sql.defer(bad, []);
        }),
      ).rejects.toThrow('division by zero');
      await expect(
        scope.run(tenant, async (sql) => {
          defer(sql, 'RolledBackC');
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
      expect(await lastNames(b.orgId)).toEqual([]);
    });

    it("is held to the transaction's organization: a deferred write for another org is refused by row-level security and takes the work with it", async () => {
      await expect(
        scope.run(tenantOf(a.orgId), async (sql) => {
          defer(sql, 'DeferredMine');
          defer(sql, 'DeferredIntoB', b.orgId);
        }),
      ).rejects.toMatchObject({ code: '42501' });
      expect(await lastNames(b.orgId)).toEqual([]);
      expect(await lastNames(a.orgId)).not.toContain('DeferredMine');
    });

    it('is undone with a savepoint that fails, and kept with one that succeeds', async () => {
      await scope.run(tenantOf(b.orgId), async (sql) => {
        defer(sql, 'SavedBefore');
        await expect(
          sql.savepoint(async () => {
            defer(sql, 'SavedNever');
            await sql.query('select 1/0');
          }),
        ).rejects.toThrow('division by zero');
        await expect(
          sql.savepoint(async () => {
            defer(sql, 'SavedNeverEither');
            throw new Error('the savepoint work failed');
          }),
        ).rejects.toThrow('the savepoint work failed');
        await sql.savepoint(async () => defer(sql, 'SavedInside'));
      });
      expect(await lastNames(b.orgId)).toEqual(['SavedBefore', 'SavedInside']);
    });
  });

  describe('opening with the first statement (openWithFirstStatement), as reads do', () => {
    const refuse = () => {
      throw new Error('not a member');
    };

    it("sends BEGIN, the pin and the work's first statement in one round trip, and checks the pin's rows before the work sees any", async () => {
      const { counted, roundTrips } = countingScope();
      try {
        const checked: unknown[] = [];
        const seen = await counted.run(
          { orgId: a.orgId, userId: a.admin.userId, clinicIds: 'membership' },
          async (sql, opened) => {
            const clinics = await sql.query<{ id: string }>('select id from clinics order by id');
            return { opened, checkedBefore: checked.length, clinics: clinics.length };
          },
          { openWithFirstStatement: ([membership]) => checked.push(...membership) },
        );
        expect(checked).toEqual([expect.objectContaining({ member_role: 'org_admin', org_status: 'active' })]);
        expect(seen).toEqual({ opened: [], checkedBefore: 1, clinics: 2 });
        expect(roundTrips.n).toBe(2); // the opening with the select, then the commit
      } finally {
        await counted.end();
      }
    });

    it('fails the statement when the check refuses: the work sees no rows, its write is rolled back, statements sent meanwhile fail too', async () => {
      const tenant = { orgId: b.orgId, userId: b.admin.userId, clinicIds: 'membership' as const };
      const after = jest.fn();
      await expect(
        scope.run(
          tenant,
          async (sql) => {
            await sql.query(`insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Refused', 'Refused', '+919711111111')`, [sql.orgId]);
            after();
          },
          { openWithFirstStatement: refuse },
        ),
      ).rejects.toThrow('not a member');
      expect(after).not.toHaveBeenCalled();
      let together: PromiseSettledResult<unknown>[] = [];
      await expect(
        scope.run(
          tenant,
          async (sql) => {
            together = await Promise.allSettled([sql.query('select 1 as one'), sql.query('select 2 as two')]);
          },
          { openWithFirstStatement: refuse },
        ),
      ).rejects.toThrow('not a member');
      // Both refused, the second (sent while the opening was in flight) with the same error; and the run fails though the work did not.
      expect(together.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'answered'))).toEqual(['not a member', 'not a member']);
      const count = await withClient(testDb().adminUrl, async (c) => (await c.query(`select count(*)::int as n from patients where first_name = 'Refused'`)).rows[0].n);
      expect(count).toBe(0);
    });

    it('opens and checks a work that sent no statement before its commit: refused, what it deferred is not written', async () => {
      const insertPatient = prepared(`insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Deferred', 'NeverOpened', '+919722222222')`);
      const checked = jest.fn();
      await scope.run({ orgId: a.orgId, userId: a.admin.userId, clinicIds: 'membership' }, async () => 'nothing sent', { openWithFirstStatement: checked });
      expect(checked).toHaveBeenCalledTimes(1);
      await expect(
        scope.run({ orgId: a.orgId, userId: a.admin.userId, clinicIds: 'membership' }, async (sql) => sql.defer(insertPatient, [sql.orgId]), { openWithFirstStatement: refuse }),
      ).rejects.toThrow('not a member');
      const count = await withClient(testDb().adminUrl, async (c) => (await c.query(`select count(*)::int as n from patients where last_name = 'NeverOpened'`)).rows[0].n);
      expect(count).toBe(0);
    });
  });

  describe('named statements in a pipeline (the pin, a read opened with its first statement, deferred writes)', () => {
    /** An OrgScope on one connection, so every run meets the statements the runs before prepared. */
    const oneConnection = (preparedStatements: boolean) =>
      new OrgScope(createOrgPool({ url: testDb().appUrl, applicationName: 'org-scope-named', poolSize: 1, poolTimeoutMs: 1_000 }), { preparedStatements, membershipPin });
    const member = () => ({ orgId: a.orgId, userId: a.admin.userId, clinicIds: 'membership' as const });
    /** The named statements prepared on the connection, with how many times each was executed (custom and generic plans). */
    const preparedOn = (sql: Sql) =>
      sql.query<{ name: string; executions: number }>('select name, (custom_plans + generic_plans)::int as executions from pg_prepared_statements order by name');
    const executionsOf = (list: { name: string; executions: number }[], name: string) => list.find((p) => p.name === name)?.executions;

    it('prepares each once per connection and only binds it afterwards: the pin, the first statement and a deferred write', async () => {
      const read = prepared(`select count(*)::int as n from clinics where organization_id = $1 and $2::text = 'named-read'`);
      const write = prepared(`select $1::uuid as org, 'named-write' as what`);
      const scoped = oneConnection(true);
      try {
        const runs = 7;
        for (let i = 0; i < runs; i += 1) {
          const n = await scoped.run(
            member(),
            async (sql) => {
              const [{ n }] = await sql.run<{ n: number }>(read, [sql.orgId, 'named-read']);
              sql.defer(write, [sql.orgId]);
              return n;
            },
            { openWithFirstStatement: () => undefined },
          );
          expect(n).toBe(2);
        }
        const seen = await scoped.run(member(), async (sql) => preparedOn(sql));
        // Parsed once and executed every time: a second Parse under the same name would have failed
        // ("already exists"), and an unnamed statement is not listed at all.
        expect(executionsOf(seen, read.name)).toBe(runs);
        expect(executionsOf(seen, write.name)).toBe(runs);
        expect(executionsOf(seen, membershipPin(a.orgId, a.admin.userId, null).name!)).toBe(runs + 1);
      } finally {
        await scoped.end();
      }
    });

    it("a statement planned for one org (its generic plan included) shows another org on the same connection only that org's rows", async () => {
      const orgsSeen = prepared(`select distinct organization_id::text as org from clinics`);
      const clinicsOf = prepared(`select count(*)::int as n from clinics where organization_id = $1`);
      const scoped = oneConnection(true);
      const tenantOf = (orgId: string) => ({ orgId, userId: null, clinicIds: '*' as const });
      try {
        // Past Postgres' five custom plans, so the cached generic plan is in use.
        for (let i = 0; i < 7; i += 1) {
          const seen = await scoped.run(tenantOf(a.orgId), async (sql) => sql.run<{ org: string }>(orgsSeen, []), { openWithFirstStatement: () => undefined });
          expect(seen).toEqual([{ org: a.orgId }]);
          await scoped.run(tenantOf(a.orgId), async (sql) => sql.run(clinicsOf, [a.orgId]));
        }
        const fromB = await scoped.run(tenantOf(b.orgId), async (sql) => ({
          orgs: await sql.run<{ org: string }>(orgsSeen, []),
          clinicsOfA: (await sql.run<{ n: number }>(clinicsOf, [a.orgId]))[0].n,
        }), { openWithFirstStatement: () => undefined });
        expect(fromB).toEqual({ orgs: [{ org: b.orgId }], clinicsOfA: 0 });
        const plans = await scoped.run(tenantOf(b.orgId), async (sql) => preparedOn(sql));
        expect(executionsOf(plans, orgsSeen.name)).toBe(8);
      } finally {
        await scoped.end();
      }
    });

    it('after a failure, parses again only what Postgres skipped: the next runs on the same connection work', async () => {
      const before = prepared(`select $1::int + 1 as n`);
      const failing = prepared(`select 1 / $1::int as n`);
      const skipped = prepared(`select $1::int + 2 as n`);
      const tenant = { orgId: a.orgId, userId: null, clinicIds: '*' as const };
      const scoped = oneConnection(true);
      try {
        // In order: the first one's Parse completes, the second fails once parsed (when bound or
        // run), and Postgres skips the third's Parse with everything up to the Sync.
        await expect(
          scoped.run(tenant, async (sql) => {
            sql.defer(before, [1]);
            sql.defer(failing, [0]);
            sql.defer(skipped, [1]);
          }),
        ).rejects.toThrow('division by zero');
        const sums = await scoped.run(tenant, async (sql) => {
          sql.defer(before, [1]);
          sql.defer(failing, [1]);
          return [...(await sql.run<{ n: number }>(skipped, [1])), ...(await sql.run<{ n: number }>(before, [40]))].map((r) => r.n);
        });
        expect(sums).toEqual([3, 41]);
        const seen = await scoped.run(tenant, async (sql) => preparedOn(sql));
        expect(executionsOf(seen, before.name)).toBe(3);
        expect(seen.map((p) => p.name)).toContain(failing.name);
        expect(executionsOf(seen, skipped.name)).toBe(1);

        // A statement Postgres cannot parse is never recorded: it fails the same way every time.
        const malformed = prepared('selec 1');
        for (let i = 0; i < 2; i += 1) {
          await expect(scoped.run(tenant, async (sql) => sql.defer(malformed, []))).rejects.toMatchObject({ code: '42601' });
        }
        await expect(scoped.run(tenant, async (sql) => (await sql.run<{ n: number }>(before, [1]))[0].n)).resolves.toBe(2);
      } finally {
        await scoped.end();
      }
    });

    it('sends every statement unnamed without preparedStatements (PgBouncer in transaction mode before 1.21)', async () => {
      const read = prepared(`select $1::uuid as org, 'unnamed-read' as what`);
      const scoped = oneConnection(false);
      try {
        for (let i = 0; i < 2; i += 1) {
          const [row] = await scoped.run(member(), async (sql) => sql.run<{ org: string }>(read, [sql.orgId]), { openWithFirstStatement: () => undefined });
          expect(row.org).toBe(a.orgId);
        }
        const seen = await scoped.run(member(), async (sql) => preparedOn(sql));
        expect(seen).toEqual([]);
      } finally {
        await scoped.end();
      }
    });
  });

  it("keeps idle connections open for the idle timeout (5 min by default, not pg's 10 s), and closes them after it", async () => {
    expect(poolOptions({}).idleTimeoutMillis).toBe(300_000);
    const idleFor = async (poolIdleTimeoutMs: number, ms: number) => {
      const p = createOrgPool({ url: testDb().appUrl, applicationName: 'org-scope-idle', poolSize: 1, poolTimeoutMs: 1_000, poolIdleTimeoutMs });
      try {
        await p.query('select 1');
        const deadline = Date.now() + ms;
        while (p.totalCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
        return p.totalCount;
      } finally {
        await p.end();
      }
    };
    expect(await idleFor(100, 5_000)).toBe(0); // closed once idle for longer than its timeout
    expect(await idleFor(0, 500)).toBe(1); // 0: never closed
  });

  it('leaves every pooled connection idle, with no tenant, whichever way the work ended', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        scope.run({ orgId: i % 2 ? a.orgId : b.orgId, userId: null, clinicIds: '*' }, async (sql) => {
          const [{ pid }] = await sql.query<{ pid: number }>('select pg_backend_pid() as pid');
          if (i % 3 === 0) await sql.query('select 1/0');
          if (i % 3 === 1) throw new Error('the work failed');
          return pid;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    // Two connections in the pool: whatever the runs before did, the next one starts clean.
    const next = await Promise.all(
      [0, 1].map(() => scope.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async (sql) => {
        const [s] = await sql.query<{ before: string }>(`select current_setting('app.org_id', true) as before`);
        return s.before;
      })),
    );
    expect(next).toEqual([a.orgId, a.orgId]);
    const states = await withClient(testDb().adminUrl, async (c) =>
      (await c.query(`select state from pg_stat_activity where application_name = 'org-scope-test'`)).rows.map((r) => r.state as string),
    );
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s === 'idle')).toBe(true);
  });

  it('survives a connection that dies while the work holds it: the work fails, the connection is not pooled again, the next run works', async () => {
    const failed = scope.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async (sql) => {
      const [{ pid }] = await sql.query<{ pid: number }>('select pg_backend_pid() as pid');
      await withClient(testDb().adminUrl, (c) => c.query('select pg_terminate_backend($1)', [pid]));
      // Between two statements the server is gone: no unhandled 'error' event, the next statement fails.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sql.query('select 1');
    });
    await expect(failed).rejects.toThrow();
    const after = await scope.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async (sql) => (await sql.query<{ one: number }>('select 1 as one'))[0].one);
    expect(after).toBe(1);
  });

  it('keeps one org within its share of the pool: the org over it waits, then fails with the busy error; another org runs', async () => {
    const shared = new OrgScope(pool(), { orgMaxConnections: 1, orgWaitMs: 200, busyError: () => new Error('organization busy') });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = shared.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, () => held);
      await expect(shared.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async () => 'second')).rejects.toThrow('organization busy');
      await expect(shared.run({ orgId: b.orgId, userId: null, clinicIds: '*' }, async () => 'other org')).resolves.toBe('other org');
      release();
      await holding;
      await expect(shared.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, async () => 'after')).resolves.toBe('after');
    } finally {
      await shared.end();
    }
  });

  it('a request id never names a tenant: random ids are refused without a query', async () => {
    await expect(scope.run({ orgId: randomUUID(), userId: null, clinicIds: 'membership' }, async () => 1)).rejects.toThrow('need a user');
  });

  describe('behind PgBouncer in transaction mode, which drops the timeouts sent as startup parameters', () => {
    const timeoutsIn = async (options: ConstructorParameters<typeof OrgScope>[1]) => {
      const bouncer = await startPgBouncer(testDb().appUrl, 1);
      const viaBouncer = new OrgScope(createOrgPool({ url: bouncer.url, applicationName: 'org-scope-test', poolSize: 2, poolTimeoutMs: 1_000, statementTimeoutMs: 750, lockTimeoutMs: 500 }), options);
      try {
        const timeouts = await viaBouncer.run({ orgId: a.orgId, userId: a.admin.userId, clinicIds: 'membership' }, async (sql, opened) => ({
          membership: opened[0],
          ...(await sql.query<{ statement: string; lock: string }>(`select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as "lock"`))[0],
        }));
        const slow = viaBouncer.run({ orgId: a.orgId, userId: null, clinicIds: '*' }, (sql) => sql.query('select pg_sleep(3)'));
        return { timeouts, slow: await slow.then(() => 'finished', (err: { code?: string; message: string }) => err.code ?? err.message) };
      } finally {
        await viaBouncer.end();
        await bouncer.stop();
      }
    };

    it('sets them in every transaction with timeoutsPerTransaction: a slow statement is cancelled by the server', async () => {
      const seen = await timeoutsIn({ membershipPin, timeoutsPerTransaction: { statementTimeoutMs: 750, lockTimeoutMs: 500 } });
      expect(seen.timeouts).toMatchObject({ statement: '750ms', lock: '500ms', membership: [expect.objectContaining({ member_role: 'org_admin' })] });
      expect(seen.slow).toBe('57014'); // query_canceled: statement timeout
    });

    it('without it, the server applies none: only the client-side watchdog ends the same statement, with its connection', async () => {
      const seen = await timeoutsIn({ membershipPin });
      expect(seen.timeouts).toMatchObject({ statement: '0', lock: '0' });
      expect(seen.slow).toMatch(/Connection terminated/);
    });

    it('a 0 leaves that timeout to the server', async () => {
      const seen = await timeoutsIn({ membershipPin, timeoutsPerTransaction: { statementTimeoutMs: 0, lockTimeoutMs: 500 } });
      expect(seen.timeouts).toMatchObject({ statement: '0', lock: '500ms' });
    });
  });
});
