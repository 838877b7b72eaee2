/**
 * One paced round (lib/paced-load.ts) in a process of its own: another client, with its own event
 * loop, so its answers do not delay the measuring process's. Options as JSON in argv[2]; the
 * result as JSON on stdout (without the latencies, which only the measured side needs).
 */
import { PacedRoundOptions, runPacedRound } from './paced-load';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as PacedRoundOptions;
  const { latencies, ...result } = await runPacedRound(options);
  process.stdout.write(JSON.stringify({ ...result, answered: latencies.length }));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
