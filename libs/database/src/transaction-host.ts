import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { EntityManager } from 'typeorm';

const MANAGER_KEY = 'mg.entityManager';

/** Raised when a repository runs outside the tenant transaction of its request. */
export class NoTenantTransactionError extends Error {
  constructor() {
    super('No tenant transaction is open for this request');
    this.name = 'NoTenantTransactionError';
  }
}

/**
 * Hands services the EntityManager of the transaction that the current request opened (and
 * pinned to its tenant). There is deliberately no fallback to a bare connection.
 */
@Injectable()
export class TransactionHost {
  constructor(private readonly cls: ClsService) {}

  get manager(): EntityManager {
    const manager = this.cls.isActive() ? this.cls.get<EntityManager>(MANAGER_KEY) : undefined;
    if (!manager) throw new NoTenantTransactionError();
    return manager;
  }

  /** Binds `manager` as the current transaction for the duration of `work`. */
  async bind<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    const previous = this.cls.get<EntityManager | undefined>(MANAGER_KEY);
    this.cls.set(MANAGER_KEY, manager);
    try {
      return await work();
    } finally {
      this.cls.set(MANAGER_KEY, previous);
    }
  }
}
