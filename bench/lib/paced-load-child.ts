/**
 * One paced round (lib/paced-load.ts) in a process of its own: another client, with its own event
 * loop, so its answers do not delay the measuring process's. Options as JSON in argv[2]. It
 * starts up, says `ready` on stdout, and sends nothing until it reads a line on stdin, so its
 * start-up costs nothing to the round it runs beside; then its result as one JSON line on stdout
 * (without the latencies, which only the measured side needs).
 */
import { once } from 'node:events';
import { PacedRoundOptions, runPacedRound } from './paced-load';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as PacedRoundOptions;
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const { latencies, ...result } = await runPacedRound(options);
  process.stdout.write(`${JSON.stringify({ ...result, answered: latencies.length })}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
