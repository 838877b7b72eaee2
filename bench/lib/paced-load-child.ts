/**
 * A PacedClient (lib/paced-load.ts) in a process of its own: another client, with its own event
 * loop, so its answers do not delay the measuring process's. It says `ready` on stdout, then runs
 * one round per line of options (JSON) read on stdin, answering each with its result as one JSON
 * line; it ends when stdin does.
 */
import { createInterface } from 'node:readline';
import { PacedClient, PacedRoundOptions } from './paced-load';

async function main(): Promise<void> {
  const client = new PacedClient();
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      process.stdout.write(`${JSON.stringify(await client.round(JSON.parse(line) as PacedRoundOptions))}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
    }
  }
  await client.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
