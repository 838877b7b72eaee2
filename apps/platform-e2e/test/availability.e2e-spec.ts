import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { startTestAzurite, TestAzurite } from '@medgenie/testing';
import { call, Platform, Service, startGateway, startPlatform } from './platform';

/**
 * No organization can take another offline (issue 10, DESIGN.md §4): the gateway in front of
 * real regional APIs, a victim org's requests sent while another org's host (same region) is
 * abused in each way a client can. Every victim request must answer 200, and none may wait
 * more than 2 s (the victim's client gives up after 2 s, which fails the check).
 *
 * The attackers come from 127.0.0.2 and the victim from 127.0.0.1, so per-address budgets are
 * real ones.
 */

const ATTACKER_ADDRESS = '127.0.0.2';
const BODY_LIMIT = 4 * 1024 * 1024;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Org {
  slug: string;
  host: string;
  token: string;
  clinicId: string;
  patientId: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('availability isolation through the gateway', () => {
  let azurite: TestAzurite;
  let platform: Platform;
  let gateway: Service;
  let victim: Org;
  let attacker: Org;
  /** The victim's own client: a new connection per request is not needed, but nothing may wait past 2 s. */
  const victimAgent = new Agent({ headersTimeout: 2_000, bodyTimeout: 2_000, connectTimeout: 2_000 });
  const attackerAgent = new Agent({ localAddress: ATTACKER_ADDRESS, connections: 256, headersTimeout: 30_000, bodyTimeout: 30_000 });

  const gw = () => gateway.url;

  async function signup(regionId: string): Promise<Org> {
    const slug = `av-${randomBytes(4).toString('hex')}`;
    const res = await call<{ accessToken: string; clinicId: string }>(platform.controlPlane.url, 'POST', '/v1/signup', {
      body: {
        organizationName: `Availability ${slug}`,
        slug,
        regionId,
        adminName: 'Dr. Avail',
        adminEmail: `${slug}@example.org`,
        adminPassword: 'correct horse battery staple',
        clinicName: 'Main',
      },
    });
    if (res.status !== 201) throw new Error(`signup answered ${res.status} ${JSON.stringify(res.body)}\n${platform.controlPlane.output.slice(-3_000)}\n${platform.regions.in.output.slice(-3_000)}`);
    const host = `${slug}.${regionId}.localhost`;
    const patient = await request(`${gw()}/v1/patients`, {
      method: 'POST',
      headers: { host, authorization: `Bearer ${res.body.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'Asha', lastName: 'Rao', mobileNumber: `+9198${Math.floor(10_000_000 + Math.random() * 89_999_999)}` }),
    });
    const created = (await patient.body.json()) as { id: string };
    expect(patient.statusCode).toBe(201);
    return { slug, host, token: res.body.accessToken, clinicId: res.body.clinicId, patientId: created.id };
  }

  /** One victim request: the patient it made, through the gateway. */
  async function victimRequest(): Promise<number | string> {
    try {
      const res = await request(`${gw()}/v1/patients/${victim.patientId}`, {
        dispatcher: victimAgent,
        headers: { host: victim.host, authorization: `Bearer ${victim.token}` },
      });
      const text = await res.body.text();
      return res.statusCode === 200 ? 200 : `${res.statusCode} ${text}`;
    } catch (err) {
      return `no answer: ${(err as Error).message}`; // over 2 s, or refused
    }
  }

  /**
   * Runs `attack` and, all the while and for a moment after, the victim's requests one after
   * another. Returns every victim status seen.
   */
  async function underAttack(attack: () => Promise<unknown>): Promise<(number | string)[]> {
    const statuses: (number | string)[] = [];
    let attacking = true;
    const attackDone = attack().finally(() => (attacking = false));
    while (attacking || statuses.length < 10) {
      statuses.push(await victimRequest());
      await sleep(20);
    }
    await attackDone;
    // After the attack too: a breaker opened by it, or connections it left held, would show here.
    for (let i = 0; i < 5; i += 1) statuses.push(await victimRequest());
    return statuses;
  }

  const expectAllOk = (statuses: (number | string)[]) => {
    expect(statuses.length).toBeGreaterThanOrEqual(15);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  };

  /** Raw bytes to the gateway from the attacker's address; resolves with the first status line's code (0: closed without one). */
  function raw(bytes: string | Buffer, options: { then?: (socket: Socket) => void; waitMs?: number } = {}): Promise<number> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: gateway.port, localAddress: ATTACKER_ADDRESS });
      let text = '';
      let settled = false;
      const finish = (status: number) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        resolve(status);
      };
      socket.setTimeout(options.waitMs ?? 15_000, () => finish(0));
      socket.on('error', () => finish(0));
      socket.on('close', () => finish(Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)));
      socket.on('data', (d) => {
        text += d.toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        if (m && m[1] !== '100' && text.includes('\r\n\r\n')) finish(Number(m[1]));
        if (m && m[1] === '100' && options.then) {
          const then = options.then;
          options.then = undefined;
          text = text.slice(text.indexOf('\r\n\r\n') + 4);
          then(socket);
        }
      });
      socket.write(bytes);
      if (options.then && !/expect:/i.test(String(bytes))) {
        const then = options.then;
        options.then = undefined;
        then(socket);
      }
    });
  }

  beforeAll(async () => {
    azurite = await startTestAzurite();
    platform = await startPlatform('availability', { BLOB_CONNECTION_STRING: azurite.connectionString, ATTACHMENT_MAX_BYTES: String(BODY_LIMIT) });
    gateway = await startGateway(platform, {
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      HEADERS_TIMEOUT_MS: '2000',
      BODY_IDLE_TIMEOUT_MS: '1500',
      BODY_GRACE_MS: '1000',
      BODY_MIN_BYTES_PER_SECOND: '240',
      RATE_LIMIT_RPS: '200',
      RATE_LIMIT_BURST: '400',
      ANON_RATE_LIMIT_RPS: '5',
      ANON_RATE_LIMIT_BURST: '10',
      ORG_MAX_CONCURRENT: '8',
      ANON_MAX_CONCURRENT: '4',
    });
    victim = await signup('in');
    attacker = await signup('in');
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await platform?.stop();
    await azurite?.stop();
    await Promise.all([victimAgent.close(), attackerAgent.close()]);
  });

  it('serves the victim while the attacker sends every kind of header a real HTTP/1.1 client sends', async () => {
    const h = attacker.host;
    const auth = `authorization: Bearer ${attacker.token}\r\n`;
    const json = '{"firstName":"Mal","lastName":"Icious","mobileNumber":"+919800000001"}';
    const requests: string[] = [
      // Upload negotiation, answered at the gateway (the body follows the 100 Continue below).
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-type: application/json\r\ncontent-length: ${json.length}\r\nexpect: 100-continue\r\n\r\n`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-type: application/json\r\ncontent-length: ${json.length}\r\nexpect: 100-Continue\r\n\r\n${json}`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-length: 2\r\nexpect: the-unexpected\r\n\r\n{}`,
      // A GET with a body, framed either way.
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-length: 11\r\n\r\nhello world`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      `DELETE /v1/patients/${attacker.patientId} HTTP/1.1\r\nhost: ${h}\r\n${auth}content-length: 4\r\n\r\nnope`,
      // Protocol upgrades and connection options.
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}connection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAAP__\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}te: trailers, deflate\r\nconnection: TE, keep-alive, x-secret\r\nkeep-alive: timeout=1, max=1\r\nproxy-connection: keep-alive\r\nx-secret: 1\r\n\r\n`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-type: application/json\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\nx-checksum: 1\r\n\r\n`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 8\r\n\r\n\x1f\x8b\x08\x00junk`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}accept-encoding: br, gzip, zstd\r\nrange: bytes=0-10\r\nif-none-match: "x"\r\nif-modified-since: Tue, 01 Dec 2026 00:00:00 GMT\r\ncache-control: no-cache\r\npragma: no-cache\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}via: 1.1 proxy\r\nforwarded: for=10.0.0.1;host=${victim.host}\r\nx-forwarded-for: 10.0.0.1\r\nx-forwarded-host: ${victim.host}\r\nmax-forwards: 0\r\nx-request-id: ../../etc/passwd\r\n\r\n`,
      `OPTIONS /v1/patients HTTP/1.1\r\nhost: ${h}\r\norigin: https://evil.example\r\naccess-control-request-method: DELETE\r\n\r\n`,
      `OPTIONS * HTTP/1.1\r\nhost: ${h}\r\n\r\n`,
      `TRACE /v1/patients HTTP/1.1\r\nhost: ${h}\r\n\r\n`,
      `CONNECT ${victim.host}:443 HTTP/1.1\r\nhost: ${victim.host}:443\r\n\r\n`,
      `GET http://${victim.host}/v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}\r\n`,
      `GET /v1/patients HTTP/1.0\r\n${auth}\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}cookie: ${'a'.repeat(8_000)}\r\nx-latin: caf\xe9\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}${Array.from({ length: 90 }, (_, i) => `x-h${i}: ${i}\r\n`).join('')}\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\nauthorization: Basic YTpi\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\nauthorization: Bearer not.a.token\r\n\r\n`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-length: 5\r\ncontent-length: 6\r\n\r\nhello!`,
      `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
      `GET /v1/patients HTTP/1.1\r\nhost: ${h}\r\nhost: ${victim.host}\r\n${auth}\r\n`,
      `GET /v1/%2e%2e/%69nternal/v1/organizations HTTP/1.1\r\nhost: ${h}\r\n\r\n`,
    ];
    const statuses = await underAttack(async () => {
      for (let round = 0; round < 4; round += 1) {
        await Promise.all(
          requests.map((r) =>
            raw(r, {
              waitMs: 5_000,
              then: /expect: 100-continue/.test(r) ? (s) => s.write(json) : undefined,
            }),
          ),
        );
      }
    });
    expectAllOk(statuses);
    // Upload negotiation works: a request with Expect: 100-continue makes a patient.
    const fresh = JSON.stringify({ firstName: 'Expect', lastName: 'Continue', mobileNumber: '+919811112222' });
    const negotiated = `POST /v1/patients HTTP/1.1\r\nhost: ${h}\r\n${auth}content-type: application/json\r\ncontent-length: ${fresh.length}\r\nexpect: 100-continue\r\n\r\n`;
    expect(await raw(negotiated, { then: (s) => s.write(fresh) })).toBe(201);
    expect(await raw(requests[2])).toBe(417);
    // The encoded internal path never reached a region.
    expect(await raw(requests[requests.length - 1])).toBe(404);
  });

  it('serves the victim while the attacker sends bodies over the limit, declared or streamed', async () => {
    const statuses = await underAttack(() =>
      Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          if (i % 2 === 0) {
            return raw(`POST /v1/dental/attachments HTTP/1.1\r\nhost: ${attacker.host}\r\nauthorization: Bearer ${attacker.token}\r\ncontent-length: ${BODY_LIMIT * 4}\r\n\r\n`, {
              then: (s) => s.write(Buffer.alloc(64 * 1024)),
            });
          }
          // Chunked, no length: cut off at the limit while streaming.
          const query = new URLSearchParams({ patientId: attacker.patientId, clinicId: attacker.clinicId, kind: 'xray', fileName: 'big.png' });
          async function* chunks() {
            yield PNG;
            for (let n = 0; n < BODY_LIMIT / (256 * 1024) + 4; n += 1) yield Buffer.alloc(256 * 1024, 1);
          }
          const res = await request(`${gw()}/v1/dental/attachments?${query}`, {
            method: 'POST',
            dispatcher: attackerAgent,
            headers: { host: attacker.host, authorization: `Bearer ${attacker.token}`, 'content-type': 'image/png' },
            body: Readable.from(chunks()),
          }).catch(() => undefined);
          await res?.body.text();
          return res?.statusCode ?? 0;
        }),
      ),
    );
    expectAllOk(statuses);
  });

  it('serves the victim while the attacker trickles headers and bodies, and cuts the slow clients off with 408', async () => {
    const slowBodies: Promise<number>[] = [];
    const statuses = await underAttack(async () => {
      for (let i = 0; i < 40; i += 1) {
        slowBodies.push(
          raw(`POST /v1/patients HTTP/1.1\r\nhost: ${attacker.host}\r\nauthorization: Bearer ${attacker.token}\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n\r\n{`, {
            then: (s) => {
              const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(' ')), 250);
            },
          }),
        );
      }
      const slowHeaders = Array.from({ length: 20 }, () =>
        raw(`GET /v1/patients HTTP/1.1\r\nhost: ${attacker.host}\r\n`, {
          then: (s) => {
            const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('x-slow: 1\r\n')), 250);
          },
        }),
      );
      return Promise.all([...slowBodies, ...slowHeaders]);
    });
    expectAllOk(statuses);
    expect(new Set(await Promise.all(slowBodies))).toEqual(new Set([408]));
  });

  it('serves the victim while the attacker aborts bodies midway, small and streamed', async () => {
    const query = new URLSearchParams({ patientId: attacker.patientId, clinicId: attacker.clinicId, kind: 'xray', fileName: 'cut.png' });
    const statuses = await underAttack(async () => {
      for (let round = 0; round < 3; round += 1) {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            raw(
              i % 2 === 0
                ? `POST /v1/patients HTTP/1.1\r\nhost: ${attacker.host}\r\nauthorization: Bearer ${attacker.token}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"firstName":`
                : `POST /v1/dental/attachments?${query} HTTP/1.1\r\nhost: ${attacker.host}\r\nauthorization: Bearer ${attacker.token}\r\ncontent-type: image/png\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n`,
              {
                then: (s) => {
                  if (i % 2 === 1) s.write(Buffer.concat([PNG, Buffer.alloc(300 * 1024, 2)]));
                  setTimeout(() => s.destroy(), 100);
                },
              },
            ),
          ),
        );
      }
    });
    expectAllOk(statuses);
  });

  it("serves the victim during an anonymous flood of the attacker's host, and the attacker org's own users keep their budget", async () => {
    let limited = 0;
    const statuses = await underAttack(async () => {
      for (let round = 0; round < 10; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 40 }, async (_, i) => {
            const res = await request(`${gw()}/v1/patients`, {
              dispatcher: attackerAgent,
              headers: { host: attacker.host, ...(i % 4 === 0 ? { authorization: 'Bearer forged.token.here' } : {}) },
            });
            await res.body.text();
            return res.statusCode;
          }),
        );
        limited += answers.filter((s) => s === 429).length;
      }
    });
    expectAllOk(statuses);
    expect(limited).toBeGreaterThan(300); // 400 sent, a budget of 10 + 5/s
    // The attacker org's own signed-in users (another address) are not limited by that flood.
    for (let i = 0; i < 20; i += 1) {
      const res = await request(`${gw()}/v1/patients`, { headers: { host: attacker.host, authorization: `Bearer ${attacker.token}` } });
      await res.body.text();
      expect(res.statusCode).toBe(200);
    }
  });

  it('serves the victim while the attacker holds as many upstream connections as it can', async () => {
    const sockets: Socket[] = [];
    const query = new URLSearchParams({ patientId: attacker.patientId, clinicId: attacker.clinicId, kind: 'xray', fileName: 'slow.png' });
    let busy = 0;
    const statuses = await underAttack(async () => {
      // Uploads that stream (too large to buffer) just fast enough not to be cut off, each
      // holding an upstream connection for as long as it can: only the org's cap of them get one.
      const hogs = Array.from({ length: 40 }, () =>
        raw(`POST /v1/dental/attachments?${query} HTTP/1.1\r\nhost: ${attacker.host}\r\nauthorization: Bearer ${attacker.token}\r\ncontent-type: image/png\r\ncontent-length: ${3 * 1024 * 1024}\r\n\r\n`, {
          waitMs: 8_000,
          then: (s) => {
            sockets.push(s);
            s.write(Buffer.concat([PNG, Buffer.alloc(100 * 1024, 3)]));
            const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(Buffer.alloc(1024, 3))), 200);
          },
        }),
      );
      // And idle keep-alive connections, hundreds of them.
      for (let i = 0; i < 300; i += 1) {
        const s = connect({ host: '127.0.0.1', port: gateway.port, localAddress: ATTACKER_ADDRESS });
        s.on('error', () => undefined);
        sockets.push(s);
      }
      // Held for a few seconds, then let go.
      await sleep(6_000);
      for (const s of sockets) s.destroy();
      busy = (await Promise.all(hogs)).filter((s) => s === 503).length;
    });
    expectAllOk(statuses);
    expect(busy).toBeGreaterThan(0); // over its cap, the attacker was told to come back later
  });

  it('stores a large dental X-ray uploaded with curl and its default headers (Expect: 100-continue)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-xray-'));
    try {
      const file = join(dir, 'pano.png');
      writeFileSync(file, Buffer.concat([PNG, randomBytes(3 * 1024 * 1024)]));
      const query = new URLSearchParams({ patientId: victim.patientId, clinicId: victim.clinicId, kind: 'xray', fileName: 'pano.png' });
      const { stdout, stderr } = await promisify(execFile)('curl', [
        '-sS',
        '-v',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-H',
        `Host: ${victim.host}`,
        '-H',
        `Authorization: Bearer ${victim.token}`,
        '-H',
        'Content-Type: image/png',
        '--data-binary',
        `@${file}`,
        `${gw()}/v1/dental/attachments?${query}`,
      ]);
      expect(stderr).toMatch(/Expect: 100-continue/i);
      expect(stdout).toBe('201');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
