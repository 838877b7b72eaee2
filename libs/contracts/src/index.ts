export * from './claims';
export * from './plans';
export * from './provisioning';
export * from './roles';
export * from './usage';
export * from './flags';
export * from './billing';
export * from './sessions';
