import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { request } from 'undici';
import { StripeStandIn } from '@medgenie/testing';
import { NpmStartPlatform, startNpmStart } from './npm-start-platform';

const ROOT = join(__dirname, '../../..');
/** Every page at both widths, on every run (git-ignored; docs/ keeps two for the README). */
const SCREENSHOTS = join(ROOT, 'apps/platform-e2e/screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WIDTHS = [
  { name: '1280', width: 1280, height: 800 },
  { name: '390', width: 390, height: 844 },
];
const PASSWORD = 'correct horse battery staple';

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * The console in a real browser (headless Chromium driven by playwright-core) against the
 * platform as `npm start` runs it, through the gateway on console.localhost: a signup through the
 * form, then a platform admin who finds the org, suspends it (its API refuses it, 403, through the
 * gateway), reactivates it, changes its plan and turns a flag off and on for it (its
 * /v1/features follows). Every page passes axe-core with no serious or critical violation and is
 * photographed at 1280 and 390 px.
 */
describe('the console in a browser, on the platform as `npm start` runs it', () => {
  let platform: NpmStartPlatform;
  /** Stripe's API as the control plane sees it (the real SDK against a stand-in), for invoices. */
  let stripe: StripeStandIn;
  let home: string;
  let port: number;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const visited: string[] = [];

  const consoleUrl = (path: string) => `http://console.localhost:${port}${path}`;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    rmSync(join(SCREENSHOTS, 'failure.png'), { force: true });
    stripe = await new StripeStandIn().start();
    const started = startNpmStart('medgenie-console-e2e-', 150_000, { STRIPE_SECRET_KEY: 'sk_test_standin', STRIPE_API_BASE: stripe.apiBase }).then((p) => {
      platform = p;
      ({ home, port } = p);
    });
    [browser] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
      started,
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text())) pageErrors.push(`${page.url()}: ${msg.text()}`);
    });
  }, 170_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await stripe?.stop();
  }, 60_000);

  const call = <T = Record<string, unknown>>(host: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) => platform.call<T>(host, method, path, options);

  /** Polls until `check` holds (a change travelling to a region or a gateway), failing with the last value after `ms`. */
  async function eventually<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: T = await probe();
    while (!check(last)) {
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await probe();
    }
    return last;
  }

  /** axe-core on the page as it is now: serious and critical violations. */
  async function axeViolations(): Promise<Violation[]> {
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
    });
  }

  /** Checks the page with axe-core at both widths and photographs it at both. */
  async function inspect(name: string): Promise<void> {
    visited.push(name);
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      expect({ page: name, width: size.name, violations: await axeViolations() }).toEqual({ page: name, width: size.name, violations: [] });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.name}.png`), fullPage: true });
      // Nothing sticks out sideways at this width.
      expect({ page: name, width: size.width, scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ page: name, width: size.width, scrollWidth: size.width });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  const heading = (text: string | RegExp) => page.getByRole('heading', { level: 1, name: text });

  /** The platform admin `npm start` made (state.json). */
  const platformAdmin = () => JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).controlPlane.platformAdmin as { email: string; password: string };

  /** Email and password on the sign-in page (opened first unless the page is already there). */
  async function submitSignIn(email: string, password: string, { open = true } = {}): Promise<void> {
    if (open) await page.goto(consoleUrl('/signin'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The code an authenticator app shows for `secret`, `offsetSeconds` from now. */
  const totp = (secret: string, offsetSeconds = 0) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

  /**
   * The two-step enrolment form (the account page's and the sign-in page's): the key and its QR
   * code, a screenshot, then a code from it; resolves with the key once the recovery codes show.
   */
  async function enrolWithCode(screenshot: string): Promise<string> {
    const secret = (await page.getByTestId('mfa-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expectDrawn(page.getByTestId('mfa-qr'));
    await inspect(screenshot);
    await page.getByLabel('Code from your authenticator app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    return secret;
  }

  /** A Chart.js canvas with something drawn on it (axes, legend and the data). */
  async function expectDrawn(canvas: ReturnType<Page['locator']>): Promise<void> {
    const drawn = await canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
      return { width: c.width, height: c.height, painted };
    });
    expect(drawn.width).toBeGreaterThan(100);
    expect(drawn.painted).toBeGreaterThan(1000);
  }

  /** On a failure, a screenshot and the page's text say where the browser was. */
  async function diagnosed(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      await page.screenshot({ path: join(SCREENSHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      throw new Error(`${(err as Error).message}\n--- at ${page.url()}:\n${text.slice(0, 2000)}`);
    }
  }

  it('serves the app at / on the console host, under its security headers', async () => {
    const res = await request(`http://127.0.0.1:${port}/`, { headers: { host: `console.localhost:${port}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(await res.body.text()).toContain('<div id="root">');
  });

  it('walks a signup and the platform admin’s work on the new org, page by page', () =>
    diagnosed(async () => {
    const slug = `con${Date.now().toString(36)}`;
    const orgName = `Console Clinic ${slug}`;
    const email = `${slug}@example.test`;

    // --- Public signup (no sign-in): inline validation from the 400, then a 201 that lands on the org's domain.
    await page.goto(consoleUrl('/signup'));
    await heading('Create your organization').waitFor();
    await page.getByLabel('Organization name').fill(orgName);
    expect(await page.getByLabel('Address', { exact: true }).inputValue()).toBe(`console-clinic-${slug}`);
    await page.getByLabel('Address', { exact: true }).fill(slug);
    await page.getByLabel('Country (where your data is kept)').selectOption('in');
    await page.getByLabel('First clinic').fill('Main clinic');
    await page.getByLabel('Your name').fill('Asha Rao');
    await page.getByLabel('Your email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.locator('#signup-adminPassword-error').waitFor();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await inspect('signup');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL(`http://${slug}.in.localhost:${port}/`), page.getByRole('button', { name: 'Create organization' }).click()]);

    const host = `${slug}.in.localhost`;
    const orgLogin = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(orgLogin.status).toBe(200);
    const orgToken = orgLogin.body.accessToken;
    expect((await call(host, 'GET', '/v1/patients', { token: orgToken })).status).toBe(200);
    const featuresBefore = await call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken });
    expect(featuresBefore.body.hindi_language).toBe(true); // seed 000: on in India
    for (const [firstName, mobileNumber] of [['Anaya', '+919812300001'], ['Kabir', '+919812300002']]) {
      const patient = await call(host, 'POST', '/v1/patients', { token: orgToken, body: { firstName, lastName: 'Pillai', mobileNumber, dateOfBirth: '1990-04-01', gender: 'female' } });
      expect(patient.status).toBe(201);
    }
    // The org admin opens Stripe's customer portal (its customer is created), and Stripe has an invoice for it.
    expect((await call('console.localhost', 'POST', '/v1/billing/portal', { token: orgToken })).status).toBe(200);
    const signedUpOrgId = (JSON.parse(Buffer.from(orgToken.split('.')[1], 'base64url').toString('utf8')) as { org: string }).org;
    const customer = [...stripe.customers.values()].find((c) => c.metadata.organizationId === signedUpOrgId);
    expect(customer).toBeDefined();
    stripe.addInvoice({ customer: customer!.id, amountDue: 299_900, currency: 'inr', status: 'paid', hostedInvoiceUrl: 'https://invoice.stripe.test/i/1' });

    // --- Sign in as the platform admin.
    const admin = platformAdmin();
    await page.goto(consoleUrl('/'));
    await heading('Sign in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await inspect('signin');
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Organizations').waitFor();

    // --- Find the org in the list.
    await page.getByRole('link', { name: /Apollo/ }).first().waitFor();
    await inspect('organizations');
    await page.getByLabel('Region').selectOption('in');
    await page.getByLabel('Name or address').fill(slug);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/search=/);
    await page.locator('table[aria-busy="false"]').waitFor();
    await page.getByText('1–1 of 1').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: orgName }).click();
    await heading(new RegExp(orgName)).waitFor();
    const orgId = new URL(page.url()).pathname.split('/').pop() ?? '';
    expect(orgId).toBe(signedUpOrgId);
    await page.getByRole('heading', { name: 'Admin actions on this organization' }).waitFor();
    await page.getByText('hindi_language').waitFor();
    // The members counted, never named: the org has its admin only.
    await page.getByTestId('org-members').filter({ hasText: /^1 active \(org admins 1\)$/ }).waitFor();
    // Its counts now, asked of its region: the first clinic of the signup and the two patients just added.
    await page.getByTestId('org-clinics').filter({ hasText: /^1$/ }).waitFor();
    const now = page.getByTestId('org-usage-now');
    // Against the trial plan's limits.
    expect(await now.locator('dt:has-text("Patients") + dd').textContent()).toBe('2 of 1,000');
    expect(await now.locator('dt:has-text("Clinics") + dd').textContent()).toBe('1 of 1');
    // Its invoice, from Stripe, with the link to Stripe's page.
    const invoiceRow = page.getByRole('region', { name: 'Invoices' }).locator('tbody tr');
    await invoiceRow.first().waitFor();
    expect(await invoiceRow.count()).toBe(1);
    expect(await invoiceRow.locator('td').allTextContents()).toEqual([expect.stringMatching(/^STANDIN-/), expect.any(String), 'paid', '₹2,999.00', '₹2,999.00']);
    expect(await invoiceRow.getByRole('link').getAttribute('href')).toBe('https://invoice.stripe.test/i/1');
    await inspect('organization');

    // --- Custom domains: a platform host name is refused with the API's message; a real one waits for its TXT record.
    await page.getByRole('button', { name: 'Edit custom domains' }).click();
    const domainsField = page.getByLabel('Custom domains, one per line');
    await domainsField.fill(`x.${host}`);
    await page.getByRole('button', { name: 'Save domains' }).click();
    await page.locator('.notice-error').filter({ hasText: 'a platform host name' }).waitFor();
    const domain = `clinic-${slug}.example.com`;
    await domainsField.fill(domain);
    await page.getByRole('button', { name: 'Save domains' }).click();
    await page.locator(`[data-domain="${domain}"]`).filter({ hasText: 'waiting for verification' }).waitFor();
    await page.locator(`[data-domain="${domain}"]`).filter({ hasText: `_medgenie-verify.${domain}` }).waitFor();

    // --- Suspend (with a reason, confirmed): its API is refused through the gateway.
    await page.getByRole('button', { name: 'Suspend…' }).click();
    await page.getByLabel(/^Reason/).fill('Console e2e: unpaid invoices');
    await inspect('organization-suspend');
    await page.getByRole('button', { name: 'Suspend organization' }).click();
    await page.getByTestId('org-status').filter({ hasText: 'suspended' }).waitFor();
    await page.getByText('Console e2e: unpaid invoices').waitFor();
    const refused = await eventually('the suspended org through the gateway', () => call<{ statusCode: number }>(host, 'GET', '/v1/patients', { token: orgToken }), (r) => r.status === 403);
    expect(refused.body.statusCode).toBe(403);

    // --- Reactivate: served again.
    await page.getByRole('button', { name: 'Reactivate…' }).click();
    await page.getByRole('button', { name: 'Reactivate organization' }).click();
    await page.getByTestId('org-status').filter({ hasText: 'active' }).waitFor();
    await eventually('the reactivated org through the gateway', () => call(host, 'GET', '/v1/patients', { token: orgToken }), (r) => r.status === 200, 70_000);

    // --- Change its plan (confirmed).
    await page.getByLabel('New plan').selectOption('basic');
    await page.getByRole('button', { name: 'Change plan…' }).click();
    await page.getByRole('button', { name: 'Change plan', exact: true }).click();
    await page.getByTestId('org-plan').filter({ hasText: 'basic' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'basic plan' }).waitFor();
    await eventually('the plan in the org’s region', () => call<{ plan: string }>(host, 'GET', '/v1/organization', { token: orgToken }), (r) => r.body.plan === 'basic');
    // The page shows the new plan's limits (the basic plan allows 3 clinics).
    await page.getByTestId('org-usage-now').locator('dt:has-text("Clinics") + dd').filter({ hasText: /^1 of 3$/ }).waitFor();

    // --- A flag for this org only (from its page): hindi_language off here, still on for Apollo (India too); then on again.
    const apollo = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: { email: 'admin@apollo.example', password: 'Apollo-Demo-Pass-2025' } });
    expect(apollo.status).toBe(200);
    const apolloFeatures = () => call<Record<string, boolean>>('apollo.in.localhost', 'GET', '/v1/features', { token: apollo.body.accessToken });
    await page.getByRole('button', { name: 'Turn off here: hindi_language' }).click();
    await page.getByTestId('flag-hindi_language').filter({ hasText: 'off' }).waitFor();
    await eventually('hindi_language off for the org only', () => call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken }), (r) => r.body.hindi_language === false);
    expect((await apolloFeatures()).body.hindi_language).toBe(true);
    await page.getByRole('button', { name: 'Turn on here: hindi_language' }).click();
    await page.getByTestId('flag-hindi_language').filter({ hasText: 'on' }).waitFor();
    await eventually('hindi_language back on for the org', () => call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken }), (r) => r.body.hindi_language === true);

    // --- Feature flags: hindi_language off for everyone, and the org's /v1/features follows; then on again.
    await page.getByRole('link', { name: 'Feature flags' }).click();
    await heading('Feature flags').waitFor();
    const hindi = page.getByRole('switch', { name: 'hindi_language' });
    await hindi.waitFor();
    expect(await hindi.getAttribute('aria-checked')).toBe('true');
    await inspect('flags');
    await hindi.click();
    await page.getByRole('switch', { name: 'hindi_language', checked: false }).waitFor();
    await eventually('hindi_language for the org', () => call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken }), (r) => r.body.hindi_language === false);
    await hindi.click();
    await page.getByRole('switch', { name: 'hindi_language', checked: true }).waitFor();
    await eventually('hindi_language for the org, back on', () => call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken }), (r) => r.body.hindi_language === true);

    // Rules edited: fax_integration (Canada and the United States) for this org alone, its reach previewed first.
    await page.getByRole('button', { name: 'Edit rules: fax_integration' }).click();
    const editor = page.locator('form.flag-editor');
    await editor.getByRole('button', { name: 'Remove rule' }).click();
    await editor.getByRole('button', { name: 'Add rule' }).click();
    await editor.getByLabel('Rule 1, condition 1: field').selectOption('orgId');
    await editor.getByLabel('Rule 1, condition 1: values').fill(orgId);
    await editor.getByLabel('Enabled').check();
    await editor.getByRole('button', { name: 'Preview reach' }).click();
    await editor.getByTestId('flag-reach').filter({ hasText: /^Reaches 1 of \d+ organizations\./ }).waitFor();
    await inspect('flags-edit');
    await editor.getByRole('button', { name: 'Save flag' }).click();
    await page.getByText('fax_integration is saved.').waitFor();
    await eventually('fax_integration for the org', () => call<Record<string, boolean>>(host, 'GET', '/v1/features', { token: orgToken }), (r) => r.body.fax_integration === true);
    expect((await apolloFeatures()).body.fax_integration).toBe(false);

    // --- Regions.
    await page.getByRole('link', { name: 'Regions' }).click();
    await heading('Regions').waitFor();
    await page.getByRole('cell', { name: /India/ }).waitFor();
    // Every region of npm start answers its readiness probe.
    await page.getByText(/^Healthy \(\d+ ms\)$/).first().waitFor();
    expect(await page.getByText(/^Healthy \(\d+ ms\)$/).count()).toBe(3);
    // And as the gateway sees it: npm start's one gateway routes to each (its breakers closed).
    for (const id of ['ca', 'in', 'us']) expect(await page.getByTestId(`gateways-${id}`).textContent()).toBe('Routed by 1 of 1');
    await inspect('regions');

    // --- Analytics: usage collected from the regions now, charted per region.
    await page.getByRole('link', { name: 'Analytics' }).click();
    await heading('Analytics').waitFor();
    await page.getByRole('button', { name: 'Collect usage now' }).click();
    await page.getByText('Usage collected from every region.').waitFor();
    // Today's bars, then the lines over time (organizations per region) once the history has today's day.
    const charts = page.getByTestId('usage-chart');
    await charts.nth(1).waitFor();
    for (const i of [0, 1]) await expectDrawn(charts.nth(i));
    // The figures behind the bars (opened as a user would): India's row counts the org that just signed up.
    for (const i of [0, 1]) await page.locator('figure.chart').nth(i).getByText('Figures as a table').click();
    const inRow = page.locator('figure.chart').first().locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: 'in', exact: true }) });
    expect(Number(await inRow.locator('td').first().textContent())).toBeGreaterThanOrEqual(2);
    // Over time: today's row of organizations per region has India's count too (columns ca, in, us).
    const today = new Date().toISOString().slice(0, 10);
    const overTime = page.locator('figure.chart').nth(1);
    const inColumn = (await overTime.locator('thead th').allTextContents()).indexOf('in') - 1;
    expect(inColumn).toBeGreaterThanOrEqual(0);
    const todayRow = overTime.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: today }) });
    expect(Number(await todayRow.locator('td').nth(inColumn).textContent())).toBe(Number(await inRow.locator('td').first().textContent()));
    await inspect('analytics');

    // --- The org's own charts now have today's collected day: the two patients, per day.
    await page.goto(consoleUrl(`/organizations/${orgId}`));
    await heading(new RegExp(orgName)).waitFor();
    const orgCharts = page.locator('section[aria-labelledby="org-usage"]').getByTestId('usage-chart');
    await orgCharts.nth(2).waitFor();
    for (const i of [0, 1, 2]) await expectDrawn(orgCharts.nth(i));
    const peopleChart = page.locator('section[aria-labelledby="org-usage"] figure.chart').first();
    await peopleChart.getByText('Figures as a table').click();
    const peopleToday = peopleChart.locator('tbody tr');
    expect(await peopleToday.count()).toBe(1);
    const doctorsNow = ((await page.getByTestId('org-usage-now').locator('dt:has-text("Doctors") + dd').textContent()) ?? '').split(' ')[0];
    expect(await peopleToday.first().locator('th, td').allTextContents()).toEqual([today, doctorsNow, '2']);

    // --- Audit: the actions just taken, filtered to the org.
    await page.getByRole('link', { name: 'Audit' }).click();
    await heading('Audit').waitFor();
    await page.getByLabel('Target id').fill(orgId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/targetId=/);
    await page.locator('table[aria-busy="false"]').waitFor();
    const actions = await page.locator('tbody td[data-label="Action"]').allTextContents();
    expect(actions).toEqual(['organization.plan.change', 'organization.reactivate', 'organization.suspend', 'organization.domains.set']);
    await inspect('audit');

    // --- Sign out: back to the sign-in page, and the pages ask for it again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await page.goto(consoleUrl('/flags'));
    await heading('Sign in').waitFor();

    expect(pageErrors).toEqual([]);
    expect(visited).toEqual(['signup', 'signin', 'organizations', 'organization', 'organization-suspend', 'flags', 'flags-edit', 'regions', 'analytics', 'audit']);
    }), 150_000);

  it('ends the session with a clear message when its refresh token is used twice', () =>
    diagnosed(async () => {
    const admin = platformAdmin();
    await submitSignIn(admin.email, admin.password);
    await heading('Organizations').waitFor();
    // Someone else spends the tab's refresh token; the tab's next refresh (a reload) presents it again.
    const refreshToken = await page.evaluate(() => sessionStorage.getItem('medgenie.console.refreshToken'));
    expect(refreshToken).toBeTruthy();
    const stolen = await call<{ refreshToken: string }>('console.localhost', 'POST', '/v1/auth/refresh', { body: { refreshToken } });
    expect(stolen.status).toBe(200);
    // The thief's session moves on (its token rotates again), so the tab's token coming back is reuse, not a race.
    expect((await call('console.localhost', 'POST', '/v1/auth/refresh', { body: { refreshToken: stolen.body.refreshToken } })).status).toBe(200);
    await page.goto(consoleUrl('/regions'));
    await heading('Sign in').waitFor();
    await page.getByText(/used twice/).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('medgenie.console.refreshToken'))).toBeNull();
    expect(pageErrors).toEqual([]);
    }));
  it('sets up two-step verification on the account page, then signs in with a code and with a recovery code, and turns it off', () =>
    diagnosed(async () => {
    const admin = platformAdmin();
    const signInWithPassword = () => submitSignIn(admin.email, admin.password);
    await signInWithPassword();
    await heading('Organizations').waitFor();

    // --- The account page: off, then set up with the password asked again, a QR code and the key.
    await page.getByRole('link', { name: admin.email }).click();
    await heading('Your account').waitFor();
    await page.getByTestId('mfa-status').filter({ hasText: /^Off/ }).waitFor();
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByLabel('Your password (asked again to set it up)').fill('not the password');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('.notice-error').waitFor();
    await page.getByLabel('Your password (asked again to set it up)').fill(admin.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    const secret = await enrolWithCode('account-mfa-setup');
    const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('mfa-status').filter({ hasText: /^On \(10 recovery codes left\)/ }).waitFor();
    await inspect('account');

    // --- Sign in again: the password, then a code (the next step's: a step is never accepted twice).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByLabel('Code from your authenticator app').fill('000000' === totp(secret, 30) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.notice-error').waitFor();
    await inspect('signin-mfa');
    await page.getByLabel('Code from your authenticator app').fill(totp(secret, 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Organizations').waitFor();

    // --- And with a recovery code, which then counts as spent.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await signInWithPassword();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Organizations').waitFor();
    await page.goto(consoleUrl('/account'));
    await page.getByTestId('mfa-status').filter({ hasText: /^On \(9 recovery codes left\)/ }).waitFor();

    // --- Turned off with the password: signing in asks for the password only again.
    await page.getByLabel('Prove it is you with').selectOption('password');
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByTestId('mfa-status').filter({ hasText: /^Off/ }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword();
    await heading('Organizations').waitFor();
    expect(pageErrors).toEqual([]);
    }));
  it('has a member of an org that requires two-step verification set it up while signing in, with the recovery codes shown once', () =>
    diagnosed(async () => {
    const slug = `mfa${Date.now().toString(36)}`;
    const email = `${slug}@example.test`;
    const signup = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/signup', {
      body: { organizationName: `MFA Clinic ${slug}`, slug, regionId: 'ca', adminName: 'Maya Roy', adminEmail: email, adminPassword: PASSWORD, clinicName: 'Main' },
    });
    expect(signup.status).toBe(201);
    expect((await call('console.localhost', 'PUT', '/v1/organization/security', { token: signup.body.accessToken, body: { mfaRequired: true } })).status).toBe(200);

    await submitSignIn(email, PASSWORD);
    await page.getByRole('heading', { name: /Two-step verification is required for your account/ }).waitFor();
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secret = await enrolWithCode('signin-mfa-enrol');
    expect(await page.getByTestId('recovery-codes').locator('code').count()).toBe(10);
    await page.getByRole('button', { name: 'I have saved them: sign in' }).click();
    await page.getByText('Two-step verification is on. Sign in again.').waitFor();
    // The codes are gone from the page once saved.
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);

    // Signing in now asks for a code; the console itself is for platform admins, and says so.
    await submitSignIn(email, PASSWORD, { open: false });
    await page.getByLabel('Code from your authenticator app').fill(totp(secret, 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('This console is for platform admins.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    expect(pageErrors).toEqual([]);
    }));
});
