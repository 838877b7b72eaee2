import { randomBytes } from 'node:crypto';
import { TestOrg } from '@medgenie/testing';
import { AttachmentView, contentDisposition } from '../src/dental/attachments.service';
import { withClient } from './db';
import { createPatient } from './dental-support';
import { startTestRegion, testDb, TestRegion } from './support';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2048)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const DICOM = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), randomBytes(256)]);
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

describe('attachments downloaded safely', () => {
  let region: TestRegion;
  let org: TestOrg;
  let other: TestOrg;
  let patient: string;

  beforeAll(async () => {
    region = await startTestRegion();
    [org, other] = await Promise.all([region.createOrg(), region.createOrg()]);
    patient = await createPatient(region, org, 'Dana');
  });
  afterAll(() => region?.close());

  const upload = (payload: Buffer, contentType: string, fileName?: string) =>
    region.client.request<AttachmentView & { code: string }>(
      'POST',
      `/v1/dental/attachments?${new URLSearchParams({ patientId: patient, clinicId: org.clinicIds[0], kind: 'xray', ...(fileName && { fileName }) })}`,
      { token: org.admin.token, payload, headers: { 'content-type': contentType } },
    );
  const download = (id: string, token = org.admin.token) =>
    region.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: `/v1/dental/attachments/${id}/download`, headers: { authorization: `Bearer ${token}` } });

  it('serves a PNG named xray.exe as xray.png, image/png, nosniff, as an attachment, byte for byte', async () => {
    const res = await upload(PNG, 'image/png', 'xray.exe');
    expect(res.status).toBe(201);
    const got = await download(res.body.id);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe('attachment; filename="xray.png"');
    expect(got.rawPayload.equals(PNG)).toBe(true);
  });

  it('gives the detected type’s extension to PDF and DICOM files, named or not', async () => {
    const pdf = await upload(PDF, 'application/pdf', 'report');
    expect(pdf.status).toBe(201);
    const gotPdf = await download(pdf.body.id);
    expect(gotPdf.headers['content-type']).toBe('application/pdf');
    expect(gotPdf.headers['content-disposition']).toBe('attachment; filename="report.pdf"');
    const dicom = await upload(DICOM, 'application/dicom');
    expect(dicom.status).toBe(201);
    const gotDicom = await download(dicom.body.id);
    expect(gotDicom.headers['content-type']).toBe('application/dicom');
    expect(gotDicom.headers['content-disposition']).toBe(`attachment; filename="xray-${dicom.body.id}.dcm"`);
    expect(gotDicom.rawPayload.equals(DICOM)).toBe(true);
  });

  it('quotes a non-ASCII name safely, with filename* in UTF-8', async () => {
    const res = await upload(PNG, 'image/png', 'दाँत (x-ray).jpg');
    expect(res.status).toBe(201);
    const got = await download(res.body.id);
    expect(got.headers['content-disposition']).toBe(`attachment; filename="____ (x-ray).png"; filename*=UTF-8''${encodeURIComponent('दाँत')}%20%28x-ray%29.png`);
  });

  it('never serves an HTML file claiming image/jpeg: it is refused at upload and nothing is stored', async () => {
    const count = () =>
      withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from dental_attachments where organization_id = $1', [org.orgId])).rows[0].n));
    const before = await count();
    const res = await upload(HTML, 'image/jpeg', 'page.html');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await count()).toBe(before);
  });

  it('another org cannot download the file', async () => {
    const res = await upload(PNG, 'image/png', 'mine.png');
    expect((await download(res.body.id, other.admin.token)).statusCode).toBe(404);
  });

  it('escapes quotes and backslashes in the ASCII filename (defence in depth)', () => {
    const row = { fileName: 'a"b\\c.exe', kind: 'photo', id: 'x', contentType: 'image/jpeg' } as const;
    expect(contentDisposition(row)).toBe('attachment; filename="a_b_c.jpg"; filename*=UTF-8\'\'a%22b%5Cc.jpg');
  });
});
