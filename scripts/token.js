#!/usr/bin/env node
'use strict';
/**
 * Prints a fresh access token from the running control plane (`npm start` must be running):
 *
 *   node scripts/token.js                 the Apollo Hospitals org admin (region in)
 *   node scripts/token.js sunnybrook      or mayo: the other demo org admins (regions ca, us)
 *   node scripts/token.js admin           the platform admin
 *   node scripts/token.js --email <email> --password <password>
 *
 *   TOKEN=$(node scripts/token.js apollo)
 *   curl -H "Authorization: Bearer $TOKEN" http://apollo.in.localhost:8080/v1/patients
 */
const { paths, readJson } = require('./lib/local');
const { DEMO_ORGS, PLATFORM_ADMIN_EMAIL, login } = require('./lib/demo');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function credentials() {
  if (arg('email')) return { email: arg('email'), password: arg('password') ?? '' };
  const who = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'apollo';
  if (who === 'admin') {
    const password = readJson(paths.secrets)?.platformAdminPassword;
    if (!password) throw new Error('no platform admin password in .medgenie/secrets.json: run "npm start" first');
    return { email: PLATFORM_ADMIN_EMAIL, password };
  }
  const org = DEMO_ORGS.find((o) => o.key === who);
  if (!org) throw new Error(`unknown login "${who}": one of ${[...DEMO_ORGS.map((o) => o.key), 'admin'].join(', ')}, or --email/--password`);
  return { email: org.adminEmail, password: org.adminPassword };
}

async function main() {
  const controlPlaneUrl = readJson(paths.state)?.controlPlane?.apiUrl;
  if (!controlPlaneUrl) throw new Error('no local platform: run "npm start" first');
  const { email, password } = credentials();
  let tokens;
  try {
    tokens = await login(controlPlaneUrl, email, password, `logging in as ${email}`);
  } catch (err) {
    if (err.cause?.code === 'ECONNREFUSED') throw new Error(`the control plane (${controlPlaneUrl}) does not answer: is "npm start" running?`);
    throw err;
  }
  process.stdout.write(`${tokens.accessToken}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
