export * from './domain-error';
export * from './http-error.filter';
export * from './logging';
export * from './openapi';
export * from './validation';
export * from './input-guard';
export * from './instant';
export * from './async-bind';
