import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { FlagDefinition, READ_ONLY_MAINTENANCE_FLAG } from '@medgenie/contracts';
import { loadGatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import type { StubOrg } from './stubs';
import { startTestGateway, TestGateway } from './support';

type Constraint = FlagDefinition['strategies'][number]['constraints'][number];

const maintenance = (enabled: boolean, ...constraints: Constraint[]): FlagDefinition => ({
  name: READ_ONLY_MAINTENANCE_FLAG,
  enabled,
  strategies: constraints.length ? [{ constraints }] : [],
});

const hostOf = (org: StubOrg) => `${org.slug}.${org.regionId}.localhost`;

async function send(url: string, method: string, host: string, token?: string, body?: string) {
  const res = await request(`${url}/v1/patients`, {
    method: method as 'POST',
    headers: { host, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls `check` until it holds (the SDK's next poll), failing with what it last saw after `ms`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

describe('gateway flags: read_only_maintenance, evaluated with unleash-client', () => {
  let tg: TestGateway;
  let a: StubOrg;
  let b: StubOrg;
  let canadian: StubOrg;

  beforeAll(async () => {
    tg = await startTestGateway({ FLAGS_METRICS_INTERVAL_MS: '300' }, { flags: [maintenance(false)] });
    a = tg.addOrg('in');
    b = tg.addOrg('in');
    canadian = tg.addOrg('ca');
  });
  afterAll(() => tg.close());

  const write = async (org: StubOrg) => send(tg.url, 'POST', hostOf(org), await tg.tokenFor(org), JSON.stringify({ firstName: 'Asha' }));
  const read = async (org: StubOrg) => send(tg.url, 'GET', hostOf(org), await tg.tokenFor(org));

  /** Serves `flag` and waits until the gateway refuses (or accepts) the probe org's writes accordingly. */
  async function serve(flag: FlagDefinition, probe: StubOrg, refused: boolean): Promise<void> {
    tg.cp.flags = [flag];
    const seen = await eventually(() => write(probe), (r) => (r.status === 503) === refused);
    expect(seen.status).toBe(refused ? 503 : 200);
  }

  it("polls the control plane with the gateway's token, registers, and reports its evaluations", async () => {
    expect(tg.gateway.flags?.status().polling).toBe(true);
    await read(a); // one evaluation to report
    await eventually(async () => tg.cp.flagCalls, (c) => c.features >= 2 && c.notModified >= 1 && c.register >= 1 && c.metrics >= 1);
    expect(tg.cp.flagCalls.register).toBeGreaterThanOrEqual(1);
    expect(tg.cp.flagCalls.metrics).toBeGreaterThanOrEqual(1);
    // Unchanged definitions come back as 304 (the SDK sends the ETag it holds).
    expect(tg.cp.flagCalls.notModified).toBeGreaterThanOrEqual(1);
    expect(tg.gateway.flags?.status().reachable).toBe(true);
  });

  it("refuses one org's writes during its maintenance, lets its reads through marked read-only, and leaves the other org alone", async () => {
    await serve(maintenance(true, { contextName: 'orgId', operator: 'IN', values: [a.organizationId] }), a, true);
    const before = tg.regions.in.requests;

    const refused = await write(a);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'MAINTENANCE', statusCode: 503 });
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['x-medgenie-read-only']).toBe('true');
    const patch = await send(tg.url, 'PATCH', hostOf(a), await tg.tokenFor(a), '{}');
    const del = await send(tg.url, 'DELETE', hostOf(a), await tg.tokenFor(a));
    expect([patch.status, del.status]).toEqual([503, 503]);
    expect(tg.regions.in.requests).toBe(before); // nothing reached the region

    const reading = await read(a);
    expect(reading.status).toBe(200);
    expect(reading.headers['x-medgenie-read-only']).toBe('true');

    // The other org of the same region: writes go through, nothing says read-only.
    const other = await write(b);
    expect(other.status).toBe(200);
    expect(other.headers['x-medgenie-read-only']).toBeUndefined();
    expect((await read(b)).headers['x-medgenie-read-only']).toBeUndefined();
  });

  it('targets a region, and a plan (IN and NOT_IN)', async () => {
    await serve(maintenance(true, { contextName: 'regionId', operator: 'IN', values: ['ca'] }), canadian, true);
    expect((await write(a)).status).toBe(200);
    expect((await write(b)).status).toBe(200);

    // The orgs' plan is "basic" (from the registry).
    await serve(maintenance(true, { contextName: 'plan', operator: 'IN', values: ['basic'] }), a, true);
    expect((await write(canadian)).status).toBe(503);
    await serve(maintenance(true, { contextName: 'plan', operator: 'NOT_IN', values: ['basic'] }), a, false);
    expect((await write(canadian)).status).toBe(200);
  });

  it('applies to the api host by the token, and to anonymous writes to the org host', async () => {
    await serve(maintenance(true, { contextName: 'orgId', operator: 'IN', values: [a.organizationId] }), a, true);
    const viaApi = await send(tg.url, 'POST', 'api.in.localhost', await tg.tokenFor(a), '{}');
    expect(viaApi).toMatchObject({ status: 503, body: { code: 'MAINTENANCE' } });
    expect((await send(tg.url, 'POST', 'api.in.localhost', await tg.tokenFor(b), '{}')).status).toBe(200);
    const anonymous = await send(tg.url, 'POST', hostOf(a), undefined, '{}');
    expect(anonymous).toMatchObject({ status: 503, body: { code: 'MAINTENANCE' } });
  });

  it('ends the maintenance within a poll once the flag is switched off', async () => {
    await serve(maintenance(true, { contextName: 'orgId', operator: 'IN', values: [a.organizationId] }), a, true);
    await serve(maintenance(false, { contextName: 'orgId', operator: 'IN', values: [a.organizationId] }), a, false);
    expect((await read(a)).headers['x-medgenie-read-only']).toBeUndefined();
  });
});

describe('gateway flags with the control plane down', () => {
  it('starts from the backup of the last definitions it fetched, and keeps evaluating them', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'mg-gateway-flags-backup-'));
    const tg = await startTestGateway({}, { flags: [maintenance(false)], flagsBackupDir: backupDir });
    let second: Awaited<ReturnType<typeof createGateway>> | undefined;
    try {
      const a = tg.addOrg('in');
      const b = tg.addOrg('in');
      tg.cp.flags = [maintenance(true, { contextName: 'orgId', operator: 'IN', values: [a.organizationId] })];
      const token = await tg.tokenFor(a);
      const refused = await eventually(() => send(tg.url, 'POST', hostOf(a), token, '{}'), (r) => r.status === 503);
      expect(refused.status).toBe(503);
      // The SDK writes its backup just after it applies a fetch.
      const backupFile = join(backupDir, 'unleash-backup-gateway.json');
      const backup = await eventually(async () => (existsSync(backupFile) ? readFileSync(backupFile, 'utf8') : ''), (text) => text.includes(a.organizationId));
      expect(backup).toContain(a.organizationId);

      // The flag endpoints go down (and would now say "off"): a new gateway starts from the backup.
      tg.cp.flagsDown = true;
      tg.cp.flags = [maintenance(false)];
      second = await createGateway(loadGatewayConfig({ ...tg.env, GATEWAY_PORT: '0' }));
      const port = await second.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${port}`;
      expect((await send(url, 'POST', hostOf(a), token, '{}')).status).toBe(503);
      expect((await send(url, 'POST', hostOf(b), await tg.tokenFor(b), '{}')).status).toBe(200);
      await eventually(async () => second?.flags?.status().reachable, (reachable) => reachable === false);
      expect(second.flags?.status().reachable).toBe(false);
      // Still the backup's answer after failed polls.
      expect((await send(url, 'POST', hostOf(a), token, '{}')).status).toBe(503);

      // The control plane answers again: the gateway catches up within a poll.
      tg.cp.flagsDown = false;
      const healed = await eventually(() => send(url, 'POST', hostOf(a), token, '{}'), (r) => r.status === 200);
      expect(healed.status).toBe(200);
    } finally {
      await second?.close();
      await tg.close();
      // The SDKs may still be finishing a backup write: retried rather than failing on a file that appears.
      rmSync(backupDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });

  it('without FLAGS_URL evaluates no flags: every write goes through', async () => {
    const tg = await startTestGateway();
    try {
      expect(tg.gateway.flags).toBeNull();
      const org = tg.addOrg('us');
      const res = await send(tg.url, 'POST', hostOf(org), await tg.tokenFor(org), '{}');
      expect(res.status).toBe(200);
      expect(res.headers['x-medgenie-read-only']).toBeUndefined();
    } finally {
      await tg.close();
    }
  });
});
