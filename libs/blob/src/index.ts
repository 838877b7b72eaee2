export * from './blob-store';
export * from './file-type';
