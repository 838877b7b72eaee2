export * from './slots';
export * from './token-buckets';
