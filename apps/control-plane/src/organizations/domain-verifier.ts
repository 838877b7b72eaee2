import { Resolver } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

const TIMEOUT_MS = 3_000;

/** Reads TXT records from DNS (node's resolver: one try, a short timeout). Replaceable in tests. */
@Injectable()
export class DomainVerifier {
  /** The TXT strings published at `name` (each record's chunks joined); empty when there are none or DNS fails. */
  async txtRecords(name: string): Promise<string[]> {
    const resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 1 });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('DNS timeout')), TIMEOUT_MS + 500);
    });
    try {
      const records = await Promise.race([resolver.resolveTxt(name), deadline]);
      return records.map((chunks) => chunks.join(''));
    } catch {
      resolver.cancel();
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
