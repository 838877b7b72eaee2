export * from './http-client';
export * from './stripe-stand-in';
export * from './test-azurite';
export * from './test-database';
export * from './test-issuer';
export * from './test-org';
export * from './test-redis';
export * from './random-input';
