#!/usr/bin/env node
'use strict';
/**
 * Mints an access token from the local dev issuer (the key `npm start` keeps in .medgenie/).
 *
 *   node scripts/token.js                      the demo org admin (Apollo Hospitals)
 *   node scripts/token.js --role doctor --user <uuid> [--org <uuid>] [--ttl 3600]
 *
 * A token for another user is only useful once that user is a member of the organization
 * (PUT /internal/v1/organizations/:orgId/memberships/:userId).
 */
const { paths, readJson } = require('./lib/local');
const { mintAccessToken } = require('./lib/issuer');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main() {
  const secrets = readJson(paths.secrets);
  const demo = readJson(paths.demo);
  if (!secrets?.issuerKey || !demo?.organizationId) {
    throw new Error('no local stack yet: run "npm start" first');
  }
  const { token } = await mintAccessToken(
    secrets.issuerKey,
    {
      userId: arg('user', demo.adminUserId),
      orgId: arg('org', demo.organizationId),
      regionId: arg('region', demo.regionId ?? 'in'),
      role: arg('role', 'org_admin'),
    },
    Number.parseInt(arg('ttl', String(12 * 3600)), 10),
  );
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
