export * from './roles';
export * from './tenant-transaction';
export * from './transaction-host';
export * from './pg-errors';
export * from './data-source';
export * from './prepared';
export * from './watchdog-client';
export * from './database-probe';
