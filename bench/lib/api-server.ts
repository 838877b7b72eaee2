/**
 * Child process: one regional API on its own event loop (so the load generator in the parent
 * does not share it), built exactly as main.ts builds it, listening on a free port. It reports
 * `{ type: 'ready', port }` over IPC and closes on `{ type: 'close' }`. On `{ type: 'gc' }` it
 * answers with the garbage-collection pauses since the last such question (`GcPauses`), recorded
 * when started with BENCH_OBSERVE_GC=1.
 */
import 'reflect-metadata';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { createRegionalApp } from '../../apps/regional-api/src/app.factory';
import { loadRegionalConfig } from '../../apps/regional-api/src/config/regional.config';

/** Pause lengths (ms) of the young generation's collections (scavenges) and of the others: recorded with BENCH_OBSERVE_GC=1 only. */
const pauses = { young: [] as number[], other: [] as number[] };
if (process.env.BENCH_OBSERVE_GC === '1') {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      (kind === constants.NODE_PERFORMANCE_GC_MINOR ? pauses.young : pauses.other).push(entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
}

async function main(): Promise<void> {
  const config = loadRegionalConfig(process.env);
  const { app } = await createRegionalApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'gc') {
      process.send?.({ type: 'gc', young: pauses.young.splice(0), other: pauses.other.splice(0) });
    } else if (msg?.type === 'close') {
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
