export * from './auth.guard';
export * from './auth.module';
export * from './auth.options';
export * from './decorators';
export * from './jwt.strategy';
