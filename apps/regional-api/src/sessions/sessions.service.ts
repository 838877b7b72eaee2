import { Injectable } from '@nestjs/common';
import type { EndedSession } from '@medgenie/contracts';
import { RequestTransactions } from '../database/request-transaction.interceptor';
import { SessionsRepository } from './sessions.repository';

/**
 * Ended sessions (issue 14): every request's first statement (`mg_begin_request`) refuses a token
 * whose `sid` is here, so a logout or a password change reaches every instance of the region as
 * soon as the control plane's call commits. Each call also forgets the sessions whose tokens expired.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly transactions: RequestTransactions,
    private readonly sessions: SessionsRepository,
  ) {}

  end(orgId: string, sessions: readonly EndedSession[]): Promise<void> {
    return this.transactions.runForService(orgId, async () => {
      await this.sessions.end(sessions);
      await this.sessions.prune();
    });
  }
}
