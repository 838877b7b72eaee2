import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  RestError,
  SASProtocol,
  StorageRetryPolicyType,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

export interface BlobStoreOptions {
  /** A shared-key connection string (AccountName + AccountKey): the key signs the SAS URLs. */
  connectionString: string;
  /** The endpoint clients download from, when it differs from the connection string's. */
  accountUrl?: string;
  /** Per-try timeout of a call to the store. */
  timeoutMs: number;
  /** Tries per call (1 = no retry). Kept low so a store that is down fails fast. */
  maxTries: number;
}

export interface ReadUrlOptions {
  expiresOn: Date;
  /** Sent back as the download's Content-Disposition. */
  contentDisposition?: string;
  contentType?: string;
}

/** The blob store could not be reached or failed on its side: the caller should retry later. */
export class BlobStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The blob store is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'BlobStoreUnavailableError';
  }
}

interface ParsedConnectionString {
  accountName: string;
  accountKey: string;
  blobEndpoint: string;
}

const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Reads the parts of an Azure Storage connection string a shared-key client needs. */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  const parts = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    const at = segment.indexOf('=');
    if (at > 0) parts.set(segment.slice(0, at).trim().toLowerCase(), segment.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage') === 'true') {
    return { accountName: DEV_ACCOUNT, accountKey: DEV_KEY, blobEndpoint: `http://127.0.0.1:10000/${DEV_ACCOUNT}` };
  }
  const accountName = parts.get('accountname');
  const accountKey = parts.get('accountkey');
  if (!accountName || !accountKey) {
    throw new Error('The blob connection string needs AccountName and AccountKey (the key signs download URLs)');
  }
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const blobEndpoint = (parts.get('blobendpoint') ?? `${protocol}://${accountName}.blob.${suffix}`).replace(/\/+$/, '');
  return { accountName, accountKey, blobEndpoint };
}

/** Network failures, timeouts and the store's own 5xx; a 4xx is a real answer about the request. */
function isUnavailable(err: unknown): boolean {
  if (err instanceof RestError) return err.statusCode === undefined || err.statusCode >= 500 || err.statusCode === 408;
  const name = (err as Error)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * One region's blob store (Azure Blob Storage, or Azurite locally): one container per
 * organization, blobs written from streams, read through short-lived SAS URLs for one blob.
 * No framework code here: the regional API wraps it in a provider.
 */
export class BlobStore {
  private readonly service: BlobServiceClient;
  private readonly credential: StorageSharedKeyCredential;
  private readonly publicEndpoint: string;
  private readonly knownContainers = new Set<string>();

  constructor(options: BlobStoreOptions) {
    const parsed = parseConnectionString(options.connectionString);
    this.credential = new StorageSharedKeyCredential(parsed.accountName, parsed.accountKey);
    this.service = new BlobServiceClient(parsed.blobEndpoint, this.credential, {
      retryOptions: {
        retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
        maxTries: options.maxTries,
        tryTimeoutInMs: options.timeoutMs,
        retryDelayInMs: 100,
        maxRetryDelayInMs: 1_000,
      },
    });
    this.publicEndpoint = (options.accountUrl ?? parsed.blobEndpoint).replace(/\/+$/, '');
  }

  /** The container of an organization: `org-<uuid>` (lower case, within Azure's 3–63 characters). */
  static containerFor(orgId: string): string {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) throw new Error('An organization id is a uuid');
    return `org-${orgId.toLowerCase()}`;
  }

  /** Creates the container on first use (private: no anonymous access). Remembered per process. */
  async ensureContainer(container: string): Promise<void> {
    if (this.knownContainers.has(container)) return;
    await this.call(() => this.service.getContainerClient(container).createIfNotExists());
    if (this.knownContainers.size < 100_000) this.knownContainers.add(container);
  }

  /**
   * Writes a blob from a stream, in blocks committed only at the end: a stream that fails midway
   * leaves no blob (the caller still deletes, in case a commit raced the failure).
   */
  async upload(container: string, blobName: string, source: Readable, options: { contentType: string; blockSize?: number }): Promise<void> {
    const blob = this.service.getContainerClient(container).getBlockBlobClient(blobName);
    const upload = () =>
      blob.uploadStream(source, options.blockSize ?? 4 * 1024 * 1024, 2, { blobHTTPHeaders: { blobContentType: options.contentType } });
    try {
      await this.call(upload);
    } catch (err) {
      if (!(err instanceof RestError) || err.code !== 'ContainerNotFound') throw err;
      // The container went away behind our back (deleted by ops): forget it and report it.
      this.knownContainers.delete(container);
      throw new BlobStoreUnavailableError(err);
    }
  }

  /** Deletes a blob; true when it existed. */
  async delete(container: string, blobName: string): Promise<boolean> {
    const result = await this.call(() => this.service.getContainerClient(container).getBlobClient(blobName).deleteIfExists());
    return result.succeeded;
  }

  /** The names of the blobs in a container (for operations and tests); [] when it does not exist. */
  async list(container: string): Promise<string[]> {
    const client = this.service.getContainerClient(container);
    if (!(await this.call(() => client.exists()))) return [];
    const names: string[] = [];
    await this.call(async () => {
      for await (const item of client.listBlobsFlat()) names.push(item.name);
    });
    return names;
  }

  /**
   * A read-only URL for one blob, valid until `expiresOn`: a service SAS signed with the
   * account key for exactly this container and blob path, nothing else. HTTPS-only when the
   * public endpoint is HTTPS.
   */
  readUrl(container: string, blobName: string, options: ReadUrlOptions): string {
    const https = this.publicEndpoint.startsWith('https://');
    const sas = generateBlobSASQueryParameters(
      {
        containerName: container,
        blobName,
        permissions: BlobSASPermissions.parse('r'),
        // A little slack for clocks that run behind the store's.
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: options.expiresOn,
        protocol: https ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
        contentDisposition: options.contentDisposition,
        contentType: options.contentType,
      },
      this.credential,
    ).toString();
    const path = `${encodeURIComponent(container)}/${blobName.split('/').map(encodeURIComponent).join('/')}`;
    return `${this.publicEndpoint}/${path}?${sas}`;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUnavailable(err)) throw new BlobStoreUnavailableError(err);
      throw err;
    }
  }
}
