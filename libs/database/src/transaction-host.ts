import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { Sql } from './sql';

const SQL_KEY = 'mg.sql';

/** Raised when a repository runs outside the tenant transaction of its request or job. */
export class NoTenantTransactionError extends Error {
  constructor() {
    super('No tenant transaction is open for this request');
    this.name = 'NoTenantTransactionError';
  }
}

/**
 * Hands repositories the transaction that the current request or job opened with `OrgScope.run`
 * (pinned to its organization). There is deliberately no fallback to a bare connection.
 */
@Injectable()
export class TransactionHost {
  constructor(private readonly cls: ClsService) {}

  get sql(): Sql {
    const sql = this.cls.isActive() ? this.cls.get<Sql | undefined>(SQL_KEY) : undefined;
    if (!sql) throw new NoTenantTransactionError();
    return sql;
  }

  /** Binds `sql` as the current transaction for the duration of `work`. */
  async bind<T>(sql: Sql, work: () => Promise<T>): Promise<T> {
    const previous = this.cls.get<Sql | undefined>(SQL_KEY);
    this.cls.set(SQL_KEY, sql);
    try {
      return await work();
    } finally {
      this.cls.set(SQL_KEY, previous);
    }
  }
}
