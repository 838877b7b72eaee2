import { randomUUID } from 'node:crypto';
import { ClsService } from 'nestjs-cls';
import { TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { TestOrg } from '@medgenie/testing';
import { RequestTransactions } from '../src/database/request-transaction.interceptor';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The request transaction is begun by OrgScope (begin and the membership in one round trip):
 * repositories must run inside it, nested work must take savepoints, and every way out must leave the pooled connection with no transaction open.
 */
describe('request transactions', () => {
  let region: TestRegion;
  let org: TestOrg;
  let transactions: RequestTransactions;
  let tx: TransactionHost;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg();
    transactions = region.app.get(RequestTransactions);
    tx = region.app.get(TransactionHost);
  });
  afterAll(() => region?.close());

  /** Runs `start` in a request context of `userId` in `org`, as the auth guard leaves it. */
  function asCaller<T>(userId: string, start: () => Promise<T>): Promise<T> {
    const cls = region.app.get(ClsService);
    const context = region.app.get(RequestContext);
    return cls.run(() => {
      context.setRequestId(randomUUID());
      context.setIdentity({ regionId: region.regionId, orgId: org.orgId, userId, tokenRole: 'org_admin', sessionId: randomUUID() });
      return start();
    });
  }

  /** Runs `work` as a request of `userId` in `org` would. */
  const asRequest = <T>(userId: string, work: () => Promise<T>) => asCaller(userId, () => transactions.run(work));

  const patientCount = (lastName: string) =>
    withClient(testDb().adminUrl, async (c) => {
      const rows = await c.query(`select count(*)::int as n from patients where organization_id = $1 and last_name = $2`, [org.orgId, lastName]);
      return rows.rows[0].n as number;
    });

  it('pins the tenant and runs repositories and nested transactions inside the one transaction', async () => {
    const seen = await asRequest(org.admin.userId, async () => {
      const [{ orgId, txid }] = await tx.sql.query<{ orgId: string; txid: string }>(`select current_setting('app.org_id') as "orgId", txid_current()::text as txid`);
      const nested = await tx.sql.savepoint(async () => (await tx.sql.query<{ txid: string }>('select txid_current()::text as txid'))[0].txid);
      const [{ inBlock }] = await tx.sql.query<{ inBlock: string }>(`select current_setting('app.org_id', true) as "inBlock"`);
      return { orgId, txid, nested, inBlock };
    });
    expect(seen.orgId).toBe(org.orgId);
    expect(seen.nested).toBe(seen.txid);
    // The nested block released its savepoint; it did not commit the request's transaction.
    expect(seen.inBlock).toBe(org.orgId);
  });

  /** `asRequest` for a read: `RequestTransactions.runRead`, as the interceptor runs a GET of `route`. */
  const asRead = <T>(userId: string, route: object, work: () => Promise<T>) => asCaller(userId, () => transactions.runRead(work, undefined, route));

  it("checks a read's membership with its first statement: a non-member is refused and sees nothing", async () => {
    const context = region.app.get(RequestContext);
    const seen = jest.fn();
    const read = () => tx.sql.query<{ n: number }>('select count(*)::int as n from patients').then(seen);
    await expect(asRead(randomUUID(), {}, read)).rejects.toMatchObject({ code: 'NOT_A_MEMBER', status: 403 });
    expect(seen).not.toHaveBeenCalled();
    // A member reads, and the membership is known once the first statement answered.
    const role = await asRead(org.admin.userId, {}, async () => {
      await read();
      return context.role;
    });
    expect(role).toBe('org_admin');
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('runs a read that needs the membership before its first statement as a write is run, from its first request on', async () => {
    const context = region.app.get(RequestContext);
    const route = {};
    const attempts = jest.fn();
    const roleFirst = async () => {
      attempts();
      const role = context.role; // before any statement
      const [{ one }] = await tx.sql.query<{ one: number }>('select 1 as one');
      return { role, one };
    };
    await expect(asRead(org.admin.userId, route, roleFirst)).resolves.toEqual({ role: 'org_admin', one: 1 });
    expect(attempts).toHaveBeenCalledTimes(2); // found no membership, sent nothing; run again with the membership read first
    await expect(asRead(org.admin.userId, route, roleFirst)).resolves.toEqual({ role: 'org_admin', one: 1 });
    expect(attempts).toHaveBeenCalledTimes(3); // remembered: once
    await expect(asRead(randomUUID(), route, roleFirst)).rejects.toMatchObject({ code: 'NOT_A_MEMBER', status: 403 });
    expect(attempts).toHaveBeenCalledTimes(3); // refused before the work
  });

  it('commits what the work wrote, and rolls all of it back when the work fails', async () => {
    const insert = (lastName: string, mobile: string) =>
      tx.sql.query(`insert into patients (organization_id, first_name, last_name, mobile_number) values ($1, 'Txn', $2, $3)`, [org.orgId, lastName, mobile]);
    await asRequest(org.admin.userId, () => insert('Committed', '+919800000001'));
    await expect(
      asRequest(org.admin.userId, async () => {
        await insert('RolledBack', '+919800000002');
        throw new Error('the handler failed');
      }),
    ).rejects.toThrow('the handler failed');
    expect(await patientCount('Committed')).toBe(1);
    expect(await patientCount('RolledBack')).toBe(0);
  });

  it('refuses a caller with no membership, and every way out leaves the pool clean', async () => {
    const pidOf = () => asRequest(org.admin.userId, async () => (await tx.sql.query<{ pid: number }>('select pg_backend_pid() as pid'))[0].pid);
    const statesOf = (pids: number[]) =>
      withClient(testDb().adminUrl, async (c) =>
        (await c.query(`select state from pg_stat_activity where pid = any($1::int[])`, [pids])).rows.map((r) => r.state as string),
      );
    // 12 requests at once use every connection of the pool (4 in tests).
    const pool = [...new Set(await Promise.all(Array.from({ length: 12 }, pidOf)))];
    expect(pool.length).toBeGreaterThan(1);

    await expect(asRequest(randomUUID(), async () => 'never runs')).rejects.toMatchObject({ status: 403 });
    await expect(asRequest(org.admin.userId, async () => Promise.reject(new Error('the handler failed')))).rejects.toThrow('the handler failed');
    await expect(asRequest('not-a-uuid', async () => 'never runs')).rejects.toThrow('not a pair of UUIDs');

    // Right after the refusals, no connection of the pool is left inside a transaction ...
    const states = await statesOf(pool);
    expect(states).toHaveLength(pool.length);
    expect(states.every((state) => state === 'idle')).toBe(true);
    // ... and the next requests, on every connection, start clean.
    expect(new Set(await Promise.all(Array.from({ length: 12 }, pidOf))).size).toBeGreaterThan(1);
  });
});
