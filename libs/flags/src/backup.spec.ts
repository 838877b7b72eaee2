import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientFeaturesResponse } from 'unleash-client';
import { FlagsBackup } from './backup';

const definitions = { version: 2, features: [{ name: 'upi_payments', enabled: true, strategies: [] }] } as unknown as ClientFeaturesResponse;

describe('FlagsBackup', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mg-flags-backup-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('close waits for a write under way, and no write starts after it', async () => {
    const backup = new FlagsBackup(join(dir, 'backup'));
    const underWay = backup.set('gateway', definitions);
    await backup.close();
    // The write that began before close is complete when close resolves: the file is whole, no temporary is left.
    expect(readdirSync(join(dir, 'backup'))).toEqual(['unleash-backup-gateway.json']);
    await underWay;
    expect(await backup.get('gateway')).toEqual(definitions);

    // A fetch landing after the client stopped writes nothing, not even the directory.
    const later = new FlagsBackup(join(dir, 'later'));
    await later.close();
    await later.set('gateway', definitions);
    expect(existsSync(join(dir, 'later'))).toBe(false);
  });
});
