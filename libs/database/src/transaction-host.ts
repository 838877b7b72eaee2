import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { EntityManager } from 'typeorm';
import type { Sql } from './sql';

const SQL_KEY = 'mg.sql';
/** TRANSITIONAL (issue 11): the TypeORM manager under `sql`, until every service reads through a repository. */
const MANAGER_KEY = 'mg.entityManager';

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

  /** TRANSITIONAL (issue 11): removed once every service reads through a repository. */
  get manager(): EntityManager {
    const manager = this.cls.isActive() ? this.cls.get<EntityManager | undefined>(MANAGER_KEY) : undefined;
    if (!manager) throw new NoTenantTransactionError();
    return manager;
  }

  /** Binds `sql` as the current transaction for the duration of `work`. */
  async bind<T>(sql: Sql, work: () => Promise<T>, manager?: EntityManager): Promise<T> {
    const previous = this.cls.get<Sql | undefined>(SQL_KEY);
    const previousManager = this.cls.get<EntityManager | undefined>(MANAGER_KEY);
    this.cls.set(SQL_KEY, sql);
    this.cls.set(MANAGER_KEY, manager);
    try {
      return await work();
    } finally {
      this.cls.set(SQL_KEY, previous);
      this.cls.set(MANAGER_KEY, previousManager);
    }
  }
}
