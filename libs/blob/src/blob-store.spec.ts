import { BlobStore, parseConnectionString } from './blob-store';

const KEY = Buffer.alloc(64, 1).toString('base64');

describe('parseConnectionString', () => {
  it('reads a shared-key connection string, explicit endpoint or derived', () => {
    expect(parseConnectionString(`DefaultEndpointsProtocol=http;AccountName=acc;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:1/acc/;`)).toEqual({
      accountName: 'acc',
      accountKey: KEY,
      blobEndpoint: 'http://127.0.0.1:1/acc',
    });
    expect(parseConnectionString(`AccountName=acc;AccountKey=${KEY};EndpointSuffix=core.windows.net`).blobEndpoint).toBe(
      'https://acc.blob.core.windows.net',
    );
  });

  it('refuses a connection string that cannot sign download URLs', () => {
    expect(() => parseConnectionString('BlobEndpoint=https://acc.blob.core.windows.net;SharedAccessSignature=sv=x')).toThrow(/AccountKey/);
  });
});

describe('BlobStore', () => {
  const store = (accountUrl?: string) =>
    new BlobStore({ connectionString: `AccountName=acc;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:1/acc`, accountUrl, timeoutMs: 1000, maxTries: 1 });

  it('names one container per organization', () => {
    expect(BlobStore.containerFor('3F1C1F8E-58A4-4C53-9A55-0D2A3F3E7A10')).toBe('org-3f1c1f8e-58a4-4c53-9a55-0d2a3f3e7a10');
    expect(() => BlobStore.containerFor('../other')).toThrow();
  });

  it('mints a read-only SAS for one blob, HTTPS-only on an HTTPS endpoint', () => {
    const expiresOn = new Date(Date.now() + 300_000);
    const url = new URL(store('https://files.example.test/acc').readUrl('org-x', 'a/b', { expiresOn, contentDisposition: 'attachment' }));
    expect(url.origin + url.pathname).toBe('https://files.example.test/acc/org-x/a/b');
    expect(url.searchParams.get('sp')).toBe('r');
    expect(url.searchParams.get('sr')).toBe('b');
    expect(url.searchParams.get('spr')).toBe('https');
    expect(url.searchParams.get('rscd')).toBe('attachment');
    expect(new Date(url.searchParams.get('se') ?? '').getTime()).toBe(Math.floor(expiresOn.getTime() / 1000) * 1000);
    expect(new URL(store().readUrl('org-x', 'b', { expiresOn })).searchParams.get('spr')).toBe('https,http');
  });
});
