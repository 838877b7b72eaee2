export * from './request-context';
export * from './tenancy.module';
