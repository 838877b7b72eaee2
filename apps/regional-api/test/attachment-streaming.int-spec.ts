import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { BlobStore } from '@medgenie/blob';
import { createPatient } from './dental-support';
import { startTestRegion, testBlob, TestRegion } from './support';

const PNG_HEADER = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A file streaming in from a slow clinic connection must not hold one of the API's database
 * connections: with a pool of ONE connection, other requests are served while an upload is
 * still arriving, and the upload completes afterwards.
 */
describe('an attachment upload in progress holds no database connection', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion({ poolSize: 1, env: { DATABASE_POOL_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => region?.close());

  it('serves other requests on a one-connection pool while the file is still arriving', async () => {
    const org = await region.createOrg();
    const patientId = await createPatient(region, org, 'Tara');
    const file = Buffer.concat([PNG_HEADER, randomBytes(256 * 1024)]);
    const body = new PassThrough();
    body.write(file.subarray(0, 64 * 1024));

    const query = new URLSearchParams({ patientId, clinicId: org.clinicIds[0], kind: 'photo' });
    const uploading = region.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: `/v1/dental/attachments?${query}`,
        headers: { authorization: `Bearer ${org.admin.token}`, 'content-type': 'image/png', 'content-length': String(file.length) },
        payload: body,
      });

    // The org's container is made on its first upload, right before the bytes are streamed: once
    // it exists, the upload has passed its checks and is waiting for the rest of the file.
    const container = BlobServiceClient.fromConnectionString(testBlob().connectionString).getContainerClient(BlobStore.containerFor(org.orgId));
    for (let i = 0; i < 200 && !(await container.exists()); i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(await container.exists()).toBe(true);

    const during = await region.client.get<{ id: string }>(`/v1/patients/${patientId}`, { token: org.admin.token });
    expect(during.status).toBe(200);
    expect(during.body.id).toBe(patientId);

    body.end(file.subarray(64 * 1024));
    const done = await uploading;
    expect(done.statusCode).toBe(201);
    expect(JSON.parse(done.body)).toMatchObject({ patientId, sizeBytes: file.length, contentType: 'image/png' });
  });
});
