/**
 * Child process: one regional API on its own event loop (so the load generator in the parent
 * does not share it), built exactly as main.ts builds it, listening on a free port. It reports
 * `{ type: 'ready', port }` over IPC and closes on `{ type: 'close' }`.
 */
import 'reflect-metadata';
import { createRegionalApp } from '../../apps/regional-api/src/app.factory';
import { loadRegionalConfig } from '../../apps/regional-api/src/config/regional.config';

async function main(): Promise<void> {
  const config = loadRegionalConfig(process.env);
  const { app } = await createRegionalApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'close') {
      void app.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', port });
}

main().catch((err) => {
  process.stderr.write(`api-server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
