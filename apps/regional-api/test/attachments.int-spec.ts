import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStore } from '@medgenie/blob';
import { freePort, TestMember, TestOrg } from '@medgenie/testing';
import { AttachmentView } from '../src/dental/attachments.service';
import { withClient } from './db';
import { auditActions, createPatient } from './dental-support';
import { startTestRegion, testBlob, testDb, TestRegion } from './support';

const PNG_HEADER = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size: number) => Buffer.concat([PNG_HEADER, randomBytes(size - PNG_HEADER.length)]);
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), randomBytes(400)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const store = new BlobStore({ connectionString: testBlob().connectionString, timeoutMs: 5_000, maxTries: 1 });
const blobsOf = (orgId: string) => store.list(BlobStore.containerFor(orgId));
const rowsOf = (orgId: string) =>
  withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from dental_attachments where organization_id = $1', [orgId])).rows[0].n));
const blobNameOf = (id: string) =>
  withClient(testDb().adminUrl, async (c) => (await c.query<{ container: string; blob_name: string }>('select container, blob_name from dental_attachments where id = $1', [id])).rows[0]);

function upload(region: TestRegion, token: string, query: Record<string, string>, payload: Buffer, contentType: string) {
  return region.client.request<AttachmentView & { code: string }>('POST', `/v1/dental/attachments?${new URLSearchParams(query)}`, {
    token,
    payload,
    headers: { 'content-type': contentType },
  });
}

describe('dental attachments in the blob store', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let staff: TestMember;
  let otherClinicStaff: TestMember;
  let patientA: string;
  let patientB: string;
  const q = () => ({ patientId: patientA, clinicId: a.clinicIds[0], kind: 'xray' });

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
    [staff, otherClinicStaff] = await Promise.all([a.addMember('staff', [a.clinicIds[0]]), a.addMember('staff', [a.clinicIds[1]])]);
    [patientA, patientB] = await Promise.all([createPatient(region, a, 'Ravi'), createPatient(region, b, 'Sima')]);
  });
  afterAll(() => region?.close());

  it("keeps an org within its plan's storage (the trial's 1,000 MB): a file that does not fit is refused with 402, before it streams in and when it is recorded, and stores nothing", async () => {
    const org = await region.createOrg({ plan: 'trial' });
    const patient = await createPatient(region, org, 'Store');
    const limits = await withClient(testDb().adminUrl, async (c) => (await c.query(`select limits from organizations where id = $1`, [org.orgId])).rows[0].limits);
    expect(limits).toMatchObject({ maxStorageMb: 1000 });
    const setMaxMb = (mb: number) => withClient(testDb().adminUrl, (c) => c.query(`update organizations set limits = limits || jsonb_build_object('maxStorageMb', $2::int) where id = $1`, [org.orgId, mb]));
    const files = () => withClient(testDb().adminUrl, async (c) => (await c.query(`select count(*)::int as n, coalesce(sum(size_bytes), 0)::int as bytes from dental_attachments where organization_id = $1`, [org.orgId])).rows[0]);
    const query = { patientId: patient, clinicId: org.clinicIds[0], kind: 'photo' };
    await setMaxMb(1);
    const first = await upload(region, org.admin.token, query, png(600 * 1024), 'image/png');
    expect(first.status).toBe(201);
    // Declared by Content-Length: refused before the file streams in.
    const second = await upload(region, org.admin.token, query, png(600 * 1024), 'image/png');
    expect(second.status).toBe(402);
    expect(second.body).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: { key: 'maxStorageMb', max: 1 }, usage: 600 * 1024 });
    // Sent without a length (chunked): refused when it is recorded, on its real size.
    const chunked = await region.app.getHttpAdapter().getInstance().inject({
      method: 'POST',
      url: `/v1/dental/attachments?${new URLSearchParams(query)}`,
      headers: { authorization: `Bearer ${org.admin.token}`, 'content-type': 'image/png' },
      payload: Readable.from([png(600 * 1024)]),
    });
    expect(chunked.statusCode).toBe(402);
    expect(JSON.parse(chunked.body)).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: { key: 'maxStorageMb', max: 1 } });
    expect(await files()).toEqual({ n: 1, bytes: 600 * 1024 });
    // What fits is still taken, and another org is not limited by this one's files.
    expect((await upload(region, org.admin.token, query, png(100 * 1024), 'image/png')).status).toBe(201);
    expect((await upload(region, b.admin.token, { patientId: patientB, clinicId: b.clinicIds[0], kind: 'photo' }, png(600 * 1024), 'image/png')).status).toBe(201);
  });

  it('stores an upload in the org’s own container under a random name and serves it through a read-only SAS URL', async () => {
    const file = png(5 * 1024 * 1024 + 123); // several MiB: past the 1 MiB JSON limit, and more than one block
    const res = await upload(region, staff.token, { ...q(), fileName: '../../scans/Bite wing "left"<1>.png' }, file, 'image/png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      patientId: patientA,
      clinicId: a.clinicIds[0],
      kind: 'xray',
      contentType: 'image/png',
      sizeBytes: file.length,
      sha256: sha256(file),
      fileName: 'Bite wing _left_1_.png',
      uploadedBy: staff.userId,
    });
    expect(res.body).not.toHaveProperty('blobName');
    expect(res.body).not.toHaveProperty('container');

    const stored = await blobNameOf(res.body.id);
    expect(stored.container).toBe(`org-${a.orgId}`);
    expect(stored.blob_name).not.toContain(res.body.id);
    expect(stored.blob_name).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await blobsOf(a.orgId)).toEqual([stored.blob_name]);

    const minted = await region.client.get<{ url: string; expiresAt: string }>(`/v1/dental/attachments/${res.body.id}/download-url`, { token: staff.token });
    expect(minted.status).toBe(200);
    const url = new URL(minted.body.url);
    expect(url.origin + url.pathname).toBe(`${testBlob().accountUrl}/org-${a.orgId}/${stored.blob_name}`);
    expect(url.searchParams.get('sp')).toBe('r');
    expect(url.searchParams.get('sr')).toBe('b');
    expect(new Date(url.searchParams.get('se') ?? '').toISOString()).toBe(minted.body.expiresAt);
    const lifetime = new Date(minted.body.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(240_000);
    expect(lifetime).toBeLessThanOrEqual(300_000);

    const download = await fetch(minted.body.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('filename="Bite wing _left_1_.png"');
    expect(Buffer.from(await download.arrayBuffer()).equals(file)).toBe(true);

    // Read-only: the same SAS cannot overwrite or delete the blob.
    expect((await fetch(minted.body.url, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(minted.body.url, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } })).status).toBe(403);
  });

  it('accepts JPEG, WebP, DICOM and PDF by their content, and lists and reads a patient’s attachments', async () => {
    const files: [string, Buffer, string][] = [
      ['image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300)]), 'photo'],
      ['image/webp', Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), randomBytes(300)]), 'photo'],
      ['application/dicom', Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), randomBytes(300)]), 'xray'],
      ['application/pdf; charset=binary', pdf, 'document'],
    ];
    const ids: string[] = [];
    for (const [type, file, kind] of files) {
      const res = await upload(region, a.admin.token, { ...q(), kind }, file, type);
      expect({ type, status: res.status }).toEqual({ type, status: 201 });
      expect(res.body.sha256).toBe(sha256(file));
      ids.push(res.body.id);
    }
    const list = await region.client.get<{ items: AttachmentView[] }>(`/v1/dental/attachments?patientId=${patientA}&kind=photo`, { token: staff.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x) => x.id).sort()).toEqual(ids.slice(0, 2).sort());
    const one = await region.client.get<AttachmentView>(`/v1/dental/attachments/${ids[3]}`, { token: staff.token });
    expect(one.body).toMatchObject({ contentType: 'application/pdf', kind: 'document', fileName: null });
    const minted = await region.client.get<{ url: string }>(`/v1/dental/attachments/${ids[3]}/download-url`, { token: staff.token });
    const download = await fetch(minted.body.url);
    expect(download.headers.get('content-disposition')).toContain(`filename="document-${ids[3]}.pdf"`);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('refuses a disallowed type with 415, and a file whose bytes are not its declared type, storing nothing', async () => {
    const [rows, blobs] = [await rowsOf(a.orgId), await blobsOf(a.orgId)];
    for (const [type, payload] of [
      ['text/plain', Buffer.from('hello')],
      ['image/gif', Buffer.from('GIF89a....')],
      ['application/octet-stream', exe],
      ['application/x-msdownload', exe],
      ['image/png', exe],
      ['application/pdf', png(500)],
      ['image/jpeg', Buffer.alloc(0)],
    ] as const) {
      const res = await upload(region, a.admin.token, q(), payload, type);
      expect({ type, status: res.status, code: res.body.code }).toEqual({ type, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    const json = await region.client.post<{ code: string }>(`/v1/dental/attachments?${new URLSearchParams(q())}`, { file: 'x' }, { token: a.admin.token });
    expect(json.status).toBe(415);
    expect(await rowsOf(a.orgId)).toBe(rows);
    expect(await blobsOf(a.orgId)).toEqual(blobs);
    // Only the upload route takes files: the others refuse these media types as before.
    const elsewhere = await region.client.request('POST', '/v1/patients', { token: a.admin.token, payload: png(100), headers: { 'content-type': 'image/png' } });
    expect(elsewhere.status).toBe(415);
    const untyped = await region.client.request('POST', '/v1/patients', { token: a.admin.token, payload: 'x=1' });
    expect(untyped.status).toBe(415);
    expect((await region.client.request('POST', '/v1/no-such-route', { token: a.admin.token, payload: png(100), headers: { 'content-type': 'image/png' } })).status).toBe(404);
  });

  it('checks the query, the patient and the clinic before storing anything', async () => {
    for (const query of [{ ...q(), kind: 'video' }, { ...q(), patientId: 'nope' }, { patientId: patientA, kind: 'xray' }, { ...q(), fileName: 'x'.repeat(256) }]) {
      expect((await upload(region, a.admin.token, query as Record<string, string>, png(300), 'image/png')).status).toBe(400);
    }
    const notHers = await upload(region, otherClinicStaff.token, q(), png(300), 'image/png');
    expect(notHers.status).toBe(404);
    expect(notHers.body.code).toBe('CLINIC_NOT_FOUND');
    const otherOrgsPatient = await upload(region, a.admin.token, { ...q(), patientId: patientB }, png(300), 'image/png');
    expect(otherOrgsPatient.status).toBe(404);
    expect(otherOrgsPatient.body.code).toBe('PATIENT_NOT_FOUND');
  });

  it('is clinic-scoped: staff of another clinic see nothing; only clinicians delete, which removes the blob too', async () => {
    const res = await upload(region, staff.token, q(), png(400), 'image/png');
    const { blob_name } = await blobNameOf(res.body.id);
    for (const path of [`/v1/dental/attachments/${res.body.id}`, `/v1/dental/attachments/${res.body.id}/download-url`]) {
      expect((await region.client.get(path, { token: otherClinicStaff.token })).status).toBe(404);
    }
    const list = await region.client.get<{ items: AttachmentView[] }>(`/v1/dental/attachments?patientId=${patientA}`, { token: otherClinicStaff.token });
    expect(list.body.items).toEqual([]);
    expect((await region.client.delete(`/v1/dental/attachments/${res.body.id}`, { token: staff.token })).status).toBe(403);
    expect((await region.client.delete(`/v1/dental/attachments/${res.body.id}`, { token: a.admin.token })).status).toBe(204);
    expect(await blobsOf(a.orgId)).not.toContain(blob_name);
    expect((await region.client.get(`/v1/dental/attachments/${res.body.id}`, { token: a.admin.token })).status).toBe(404);
  });

  it('org B reaches org A’s file neither through the API nor with a SAS minted for B', async () => {
    const mine = await upload(region, a.admin.token, q(), png(600), 'image/png');
    const theirs = await upload(region, b.admin.token, { patientId: patientB, clinicId: b.clinicIds[0], kind: 'photo' }, png(700), 'image/png');
    expect(theirs.status).toBe(201);
    for (const [method, path] of [
      ['GET', `/v1/dental/attachments/${mine.body.id}`],
      ['GET', `/v1/dental/attachments/${mine.body.id}/download-url`],
      ['DELETE', `/v1/dental/attachments/${mine.body.id}`],
    ]) {
      const res = await region.client.request<{ statusCode: number }>(method, path, { token: b.admin.token });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    expect((await region.client.get(`/v1/dental/attachments?patientId=${patientA}`, { token: b.admin.token })).status).toBe(404);

    // B's SAS works for B's blob ...
    const minted = await region.client.get<{ url: string }>(`/v1/dental/attachments/${theirs.body.id}/download-url`, { token: b.admin.token });
    expect((await fetch(minted.body.url)).status).toBe(200);
    // ... and for nothing else: not A's blob in A's container, not A's container, not another blob of B's.
    const aBlob = await blobNameOf(mine.body.id);
    const bBlob = await blobNameOf(theirs.body.id);
    const swap = (container: string, blob: string) => {
      const url = new URL(minted.body.url);
      url.pathname = url.pathname.replace(`/${bBlob.container}/${bBlob.blob_name}`, `/${container}/${blob}`);
      return url.toString();
    };
    expect(swap(aBlob.container, aBlob.blob_name)).toContain(aBlob.blob_name);
    for (const url of [swap(aBlob.container, aBlob.blob_name), swap(aBlob.container, bBlob.blob_name), swap(bBlob.container, aBlob.blob_name)]) {
      expect((await fetch(url)).status).toBe(403);
    }
    const otherOfB = await upload(region, b.admin.token, { patientId: patientB, clinicId: b.clinicIds[0], kind: 'photo' }, png(300), 'image/png');
    const other = await blobNameOf(otherOfB.body.id);
    expect((await fetch(swap(other.container, other.blob_name))).status).toBe(403);
    // A's file is intact.
    const aUrl = await region.client.get<{ url: string }>(`/v1/dental/attachments/${mine.body.id}/download-url`, { token: a.admin.token });
    expect((await fetch(aUrl.body.url)).status).toBe(200);
  });

  it('audits uploads, reads, lists, every download-URL mint and deletes, with identifiers only', async () => {
    const res = await upload(region, a.admin.token, { ...q(), fileName: 'Ravi-private.png' }, png(300), 'image/png');
    await region.client.get(`/v1/dental/attachments/${res.body.id}`, { token: a.admin.token });
    await region.client.get(`/v1/dental/attachments/${res.body.id}/download-url`, { token: a.admin.token });
    await region.client.get(`/v1/dental/attachments/${res.body.id}/download-url`, { token: a.admin.token });
    await region.client.get(`/v1/dental/attachments?patientId=${patientA}`, { token: a.admin.token });
    await region.client.delete(`/v1/dental/attachments/${res.body.id}`, { token: a.admin.token });
    const events = (await auditActions(a.orgId, 'dental_attachment')).filter((e) => e.resource_id === res.body.id);
    expect(events.map((e) => e.action).sort()).toEqual([
      'attachment.delete',
      'attachment.download_url',
      'attachment.download_url',
      'attachment.read',
      'attachment.upload',
    ]);
    expect(events.find((e) => e.action === 'attachment.upload')?.details).toEqual({ patientId: patientA, kind: 'xray', contentType: 'image/png', sizeBytes: 300 });
    const all = JSON.stringify(await auditActions(a.orgId, 'dental_attachment'));
    expect(all).not.toContain('Ravi');
    expect(all).not.toContain('sig=');
    expect(all).toContain('attachment.list');
  });

  describe('with a small size limit and a short SAS lifetime', () => {
    let small: TestRegion;
    let org: TestOrg;
    let patient: string;

    beforeAll(async () => {
      small = await startTestRegion({ env: { ATTACHMENT_MAX_BYTES: '4096', BLOB_SAS_TTL_SECONDS: '1' } });
      org = await small.createOrg();
      patient = await createPatient(small, org, 'Lata');
    });
    afterAll(() => small?.close());

    const query = () => `patientId=${patient}&clinicId=${org.clinicIds[0]}&kind=xray`;

    it('answers 413 over the limit and stores nothing, whether the size is declared or only streamed', async () => {
      expect((await upload(small, org.admin.token, { patientId: patient, clinicId: org.clinicIds[0], kind: 'xray' }, png(4096), 'image/png')).status).toBe(201);
      const [rows, blobs] = [await rowsOf(org.orgId), await blobsOf(org.orgId)];
      expect(blobs).toHaveLength(1);

      const declared = await upload(small, org.admin.token, { patientId: patient, clinicId: org.clinicIds[0], kind: 'xray' }, png(4097), 'image/png');
      expect(declared.status).toBe(413);
      expect(declared.body.code).toBe('PAYLOAD_TOO_LARGE');

      // No Content-Length: the stream is counted on its way to the store and cut at the limit.
      const fastify = small.app.getHttpAdapter().getInstance();
      const streamed = await fastify.inject({
        method: 'POST',
        url: `/v1/dental/attachments?${query()}`,
        headers: { authorization: `Bearer ${org.admin.token}`, 'content-type': 'image/png' },
        payload: Readable.from([png(3000), randomBytes(3000), randomBytes(3000)]),
      });
      expect(streamed.headers['content-length']).toBeDefined();
      expect(streamed.statusCode).toBe(413);
      expect(JSON.parse(streamed.body)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });

      expect(await rowsOf(org.orgId)).toBe(rows);
      expect(await blobsOf(org.orgId)).toEqual(blobs);
    });

    it('mints URLs that expire after the configured lifetime', async () => {
      const res = await upload(small, org.admin.token, { patientId: patient, clinicId: org.clinicIds[0], kind: 'xray' }, png(1000), 'image/png');
      const minted = await small.client.get<{ url: string; expiresAt: string }>(`/v1/dental/attachments/${res.body.id}/download-url`, { token: org.admin.token });
      const expiresAt = new Date(minted.body.expiresAt).getTime();
      expect(new Date(new URL(minted.body.url).searchParams.get('se') ?? '').getTime()).toBe(expiresAt);
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(1_000);
      // Past its expiry (SAS times are whole seconds) the store refuses it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 1_100 - Date.now())));
      expect((await fetch(minted.body.url)).status).toBe(403);
    });
  });

  describe('when the blob store is down', () => {
    let down: TestRegion;

    beforeAll(async () => {
      const deadPort = await freePort();
      const url = `http://127.0.0.1:${deadPort}/devstoreaccount1`;
      down = await startTestRegion({
        issuer: region.issuer,
        env: { BLOB_CONNECTION_STRING: testBlob().connectionString.replace(testBlob().accountUrl, url), BLOB_ACCOUNT_URL: url, BLOB_MAX_TRIES: '1', BLOB_TIMEOUT_MS: '2000' },
      });
    });
    afterAll(() => down?.close());

    it('answers 503 on the routes that need it and keeps serving the rest', async () => {
      const res = await upload(down, a.admin.token, q(), png(300), 'image/png');
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('BLOB_STORE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      expect((await down.client.get(`/v1/patients/${patientA}`, { token: a.admin.token })).status).toBe(200);

      // An attachment whose blob cannot be deleted stays, row and blob.
      const kept = await upload(region, a.admin.token, q(), png(300), 'image/png');
      const { blob_name } = await blobNameOf(kept.body.id);
      expect((await down.client.delete(`/v1/dental/attachments/${kept.body.id}`, { token: a.admin.token })).status).toBe(503);
      expect((await region.client.get(`/v1/dental/attachments/${kept.body.id}`, { token: a.admin.token })).status).toBe(200);
      expect(await blobsOf(a.orgId)).toContain(blob_name);
    });
  });
});
