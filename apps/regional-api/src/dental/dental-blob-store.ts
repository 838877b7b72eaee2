import { Inject, Injectable } from '@nestjs/common';
import { BlobStore, BlobStoreUnavailableError } from '@medgenie/blob';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';

export const blobUnavailable = (message = 'The blob store is unavailable; retry shortly') =>
  fail(ErrorCode.BlobStoreUnavailable, message, 5);

/**
 * The region's blob store, as configured (BLOB_CONNECTION_STRING, BLOB_ACCOUNT_URL). A region
 * without one still serves everything else; its attachment routes answer 503.
 */
@Injectable()
export class DentalBlobStore {
  private readonly store: BlobStore | null;

  constructor(@Inject(REGIONAL_CONFIG) config: RegionalConfig) {
    const { connectionString, accountUrl, timeoutMs, maxTries } = config.blob;
    this.store = connectionString ? new BlobStore({ connectionString, accountUrl, timeoutMs, maxTries }) : null;
  }

  /** Runs `work` against the store; an unreachable or failing store becomes a 503. */
  async use<T>(work: (store: BlobStore) => Promise<T>): Promise<T> {
    if (!this.store) throw blobUnavailable('This region has no blob store configured');
    try {
      return await work(this.store);
    } catch (err) {
      if (err instanceof BlobStoreUnavailableError) throw blobUnavailable();
      throw err;
    }
  }

  /** For work that does not touch the network (signing a URL). */
  get signer(): BlobStore {
    if (!this.store) throw blobUnavailable('This region has no blob store configured');
    return this.store;
  }
}
