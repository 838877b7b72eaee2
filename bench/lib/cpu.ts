import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/**
 * CPU time (user + system, in ms) spent by the API process and by the Postgres backends serving
 * its pool. On a shared machine throughput moves with whatever else runs; CPU per request
 * moves much less, so it is printed next to the throughput figures. Needs Postgres on this
 * host (/proc of its backends readable); otherwise the figures are left out.
 */
const TICK_MS = 10; // CLK_TCK is 100 on Linux x86-64

function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

export interface CpuTarget {
  apiPid: number;
  database: string;
  role: string;
  /** Only the backends whose application_name is this (two pools of one role in one database). */
  applicationName?: string;
}

export interface CpuSnapshot {
  api: number | null;
  backends: Map<number, number>;
  readable: boolean;
}

export class CpuMeter {
  private constructor(private readonly admin: Client) {}

  static async open(adminUrl: string): Promise<CpuMeter> {
    const admin = new Client({ connectionString: adminUrl, application_name: 'medgenie-bench-cpu' });
    await admin.connect();
    return new CpuMeter(admin);
  }

  async snapshot(target: CpuTarget): Promise<CpuSnapshot> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and usename = $2 and backend_type = 'client backend'
          and ($3::text is null or application_name = $3::text)`,
      [target.database, target.role, target.applicationName ?? null],
    );
    const backends = new Map<number, number>();
    let readable = true;
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms === null) readable = false;
      else backends.set(pid, ms);
    }
    return { api: processCpuMs(target.apiPid), backends, readable };
  }

  /** CPU ms between two snapshots: [api, postgres backends] (null when not measurable). */
  static delta(before: CpuSnapshot, after: CpuSnapshot): { api: number | null; pg: number | null } {
    const api = before.api !== null && after.api !== null ? after.api - before.api : null;
    if (!before.readable || !after.readable) return { api, pg: null };
    let pg = 0;
    for (const [pid, ms] of after.backends) pg += ms - (before.backends.get(pid) ?? 0);
    return { api, pg };
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}
