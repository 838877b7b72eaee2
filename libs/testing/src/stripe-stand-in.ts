import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'qs';
import Stripe from 'stripe';

/** One HTTP request as the stand-in received it, form body and query parsed as Stripe parses them. */
export interface RecordedStripeRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  idempotencyKey?: string;
  authorization?: string;
  /** The `Stripe-Version` header: the API version the client pinned. */
  stripeVersion?: string;
}

/** A Stripe object as the stand-in keeps it: Stripe's common fields plus the resource's own. */
export interface StandInObject {
  id: string;
  object: string;
  created: number;
  livemode: false;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

export interface AddSubscriptionOptions {
  customer: string;
  /** A recurring price's id. */
  price: string;
  status?: Stripe.Subscription.Status;
  metadata?: Record<string, string>;
  quantity?: number;
  currentPeriodStart?: number;
  currentPeriodEnd?: number;
}

export interface AddInvoiceOptions {
  customer: string;
  subscription?: string;
  amountDue: number;
  currency: string;
  status: 'paid' | 'open';
  created?: number;
  hostedInvoiceUrl?: string;
}

type Params = Record<string, unknown>;
type Handler = (params: Params, ids: string[]) => unknown;

/** Stripe's v1 error: `{ error: { type, message, code?, param? } }` with an HTTP status. */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

/**
 * The SDK form-encodes with brackets and indexed arrays (`line_items[0][price]`, `expand[0]`); Stripe
 * reads them back as nested objects and arrays. The limits are raised so that long arrays stay arrays.
 */
const QUERY_OPTIONS = { depth: 20, arrayLimit: 1000, parameterLimit: 10_000 };
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";

const newId = (prefix: string, length = 24) => prefix + Array.from(randomBytes(length), (b) => ALPHANUMERIC[b % 62]).join('');
const now = () => Math.floor(Date.now() / 1000);
const missing = (param: string) => new StripeApiError(400, `Missing required param: ${param}.`, 'parameter_missing', param);
const invalid = (param: string, message: string) => new StripeApiError(400, message, 'parameter_invalid', param);
const list = (url: string, data: unknown[], hasMore = false) => ({ object: 'list', data, has_more: hasMore, url });

/** A required string param; Stripe reads an empty string as an attempt to unset it. */
function required(params: Params, name: string, param = name): string {
  const value = params[name];
  if (value === undefined) throw missing(param);
  if (value === '') throw new StripeApiError(400, `You passed an empty string for '${param}'. '${param}' cannot be unset.`, 'parameter_invalid_empty', param);
  if (typeof value !== 'string') throw invalid(param, `Invalid string: ${JSON.stringify(value)}`);
  return value;
}

/** An optional string param: absent -> undefined, empty (unset) -> null. */
function optional(value: unknown): string | null | undefined {
  return value === undefined ? undefined : value === '' ? null : String(value);
}

function integer(value: unknown, param: string): number {
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(parsed)) throw invalid(param, `Invalid integer: ${String(value)}`);
  return parsed;
}

function bool(value: unknown, param: string): boolean {
  if (value !== 'true' && value !== 'false') throw invalid(param, `Invalid boolean: ${String(value)}`);
  return value === 'true';
}

function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw invalid(param, `Invalid ${param}: must be one of ${allowed.join(', ')}`);
  return value as T;
}

function nested(value: unknown, param: string): Params {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(param, `Invalid object: ${param}`);
  return value as Params;
}

/** Stripe's metadata update: keys merge, an empty value deletes its key, `metadata=` clears all. */
function mergeMetadata(current: Record<string, string>, sent: unknown): Record<string, string> {
  if (sent === undefined) return current;
  if (sent === '') return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(nested(sent, 'metadata'))) {
    if (value === '') delete merged[key];
    else merged[key] = String(value);
  }
  return merged;
}

type Recurring = { interval: string; interval_count: number };

function addInterval(start: number, recurring: Recurring): number {
  const date = new Date(start * 1000);
  const count = recurring.interval_count;
  if (recurring.interval === 'year') date.setUTCFullYear(date.getUTCFullYear() + count);
  else if (recurring.interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCDate(date.getUTCDate() + count * (recurring.interval === 'week' ? 7 : 1));
  return Math.floor(date.getTime() / 1000);
}

/**
 * Stands in for the parts of Stripe's HTTP API that MedGenie uses, so tests run the real `stripe` SDK
 * against it: objects live in memory, and every request is recorded for assertions.
 */
export class StripeStandIn {
  readonly requests: RecordedStripeRequest[] = [];
  readonly products = new Map<string, StandInObject>();
  readonly prices = new Map<string, StandInObject>();
  readonly customers = new Map<string, StandInObject>();
  /** Sessions as created, with `line_items` and `subscription_data` kept as sent. */
  readonly checkoutSessions = new Map<string, StandInObject>();
  readonly portalSessions = new Map<string, StandInObject>();
  readonly subscriptions = new Map<string, StandInObject>();
  readonly invoices = new Map<string, StandInObject>();
  private readonly replays = new Map<string, { rawBody: string; status: number; body: string }>();
  private server?: Server;

  private readonly routes: [string, RegExp, Handler][] = [
    ['POST', /^\/v1\/products$/, (p) => this.createProduct(p)],
    ['GET', /^\/v1\/products$/, (p) => this.listProducts(p)],
    ['GET', /^\/v1\/products\/([^/]+)$/, (_p, [id]) => this.get(this.products, id, 'product')],
    ['POST', /^\/v1\/products\/([^/]+)$/, (p, [id]) => this.updateProduct(this.get(this.products, id, 'product'), p)],
    ['POST', /^\/v1\/prices$/, (p) => this.createPrice(p)],
    ['GET', /^\/v1\/prices$/, (p) => this.listPrices(p)],
    ['GET', /^\/v1\/prices\/([^/]+)$/, (_p, [id]) => this.get(this.prices, id, 'price')],
    ['POST', /^\/v1\/prices\/([^/]+)$/, (p, [id]) => this.updatePrice(this.get(this.prices, id, 'price'), p)],
    ['POST', /^\/v1\/customers$/, (p) => this.saveCustomer(this.stamp('cus_', 'customer', { balance: 0, currency: null, delinquent: false, tax_exempt: 'none' }), p)],
    ['GET', /^\/v1\/customers\/search$/, (p) => this.searchCustomers(p)],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (_p, [id]) => this.get(this.customers, id, 'customer')],
    ['POST', /^\/v1\/customers\/([^/]+)$/, (p, [id]) => this.saveCustomer(this.get(this.customers, id, 'customer'), p)],
    ['POST', /^\/v1\/checkout\/sessions$/, (p) => this.createCheckoutSession(p)],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (_p, [id]) => this.shownSession(this.get(this.checkoutSessions, id, 'checkout.session'))],
    ['POST', /^\/v1\/billing_portal\/sessions$/, (p) => this.createPortalSession(p)],
    ['GET', /^\/v1\/subscriptions$/, (p) => this.listSubscriptions(p)],
    ['GET', /^\/v1\/subscriptions\/([^/]+)$/, (_p, [id]) => this.get(this.subscriptions, id, 'subscription')],
    ['POST', /^\/v1\/subscriptions\/([^/]+)$/, (p, [id]) => this.updateSubscription(this.get(this.subscriptions, id, 'subscription'), p)],
    ['DELETE', /^\/v1\/subscriptions\/([^/]+)$/, (_p, [id]) => this.cancelSubscription(this.get(this.subscriptions, id, 'subscription'))],
    ['GET', /^\/v1\/invoices$/, (p) => this.listInvoices(p)],
    ['POST', /^\/v1\/invoices\/create_preview$/, (p) => this.previewInvoice(p)],
    ['GET', /^\/v1\/invoices\/([^/]+)$/, (_p, [id]) => this.get(this.invoices, id, 'invoice')],
  ];

  /** Listens on `port` (0: any free one; a stand-in restarted after stop() takes its old port back so clients keep their URL). */
  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // the SDK's keep-alive sockets
    });
  }

  get port(): number {
    if (!this.server) throw new Error('StripeStandIn is not started: await start() first');
    return (this.server.address() as AddressInfo).port;
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get url(): string {
    return this.apiBase;
  }

  /** What an app passes to `new Stripe(key, { ...config })` to talk to the stand-in. */
  get config(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' };
  }

  client(secretKey = 'sk_test_standin'): Stripe {
    return new Stripe(secretKey, { ...this.config, maxNetworkRetries: 0, telemetry: false });
  }

  reset(): void {
    this.requests.splice(0);
    for (const map of [this.products, this.prices, this.customers, this.checkoutSessions, this.portalSessions, this.subscriptions, this.invoices, this.replays]) map.clear();
  }

  /** Creates a subscription directly, as if a customer had completed checkout. */
  addSubscription(options: AddSubscriptionOptions): StandInObject {
    if (!this.customers.has(options.customer)) throw new Error(`addSubscription: no customer ${options.customer}`);
    const price = this.prices.get(options.price);
    if (!price?.recurring) throw new Error(`addSubscription: no recurring price ${options.price}`);
    const status = options.status ?? 'active';
    const start = options.currentPeriodStart ?? now();
    const end = options.currentPeriodEnd ?? addInterval(start, price.recurring as Recurring);
    const subscription = this.stamp('sub_', 'subscription', {
      billing_cycle_anchor: start,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: status === 'canceled' ? now() : null,
      collection_method: 'charge_automatically',
      currency: price.currency,
      customer: options.customer,
      default_payment_method: null,
      description: null,
      discounts: [],
      ended_at: status === 'canceled' ? now() : null,
      latest_invoice: null,
      pause_collection: null,
      schedule: null,
      start_date: start,
      status,
      trial_end: null,
      trial_start: null,
    });
    subscription.metadata = { ...options.metadata };
    subscription.items = list(`/v1/subscription_items?subscription=${subscription.id}`, [
      this.subscriptionItem(subscription.id, price, options.quantity ?? 1, start, end),
    ]);
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** Records an invoice directly, as Stripe would after billing a customer. */
  addInvoice(options: AddInvoiceOptions): StandInObject {
    if (!this.customers.has(options.customer)) throw new Error(`addInvoice: no customer ${options.customer}`);
    const subscription = options.subscription === undefined ? undefined : this.subscriptions.get(options.subscription);
    if (options.subscription !== undefined && !subscription) throw new Error(`addInvoice: no subscription ${options.subscription}`);
    const created = options.created ?? now();
    const id = newId('in_');
    const line = this.invoiceLine(id, options.amountDue, options.currency.toLowerCase(), subscription, { start: created, end: created });
    const invoice = this.invoice(id, options.customer, subscription, [line], options.status, created);
    invoice.hosted_invoice_url = options.hostedInvoiceUrl ?? invoice.hosted_invoice_url;
    this.invoices.set(id, invoice);
    return invoice;
  }

  // --- HTTP ---

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const send = (status: number, body: string, replayed = false) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': newId('req_', 14) };
      if (replayed) headers['idempotent-replayed'] = 'true';
      res.writeHead(status, headers).end(body);
    };
    let replayKey: string | undefined;
    let rawBody = '';
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      rawBody = Buffer.concat(chunks).toString('utf8');
      const query = parseQuery(url.search.slice(1), QUERY_OPTIONS);
      const body = parseQuery(rawBody, QUERY_OPTIONS);
      const authorization = header('authorization');
      const idempotencyKey = header('idempotency-key');
      this.requests.push({ method, path: url.pathname, query, body, idempotencyKey, authorization, stripeVersion: header('stripe-version') });

      if (!authorization) throw new StripeApiError(401, NO_KEY);
      if (!/^Bearer (sk|rk)_\w+$/.test(authorization)) throw new StripeApiError(401, `Invalid API Key provided: ${authorization.slice(7, 15)}****`);
      const found = this.routes.map(([m, pattern, handler]) => ({ m, match: pattern.exec(url.pathname), handler })).find((r) => r.m === method && r.match);
      if (!found?.match) throw new StripeApiError(404, `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs.`);

      if (method === 'POST' && idempotencyKey) {
        replayKey = `${method} ${url.pathname} ${idempotencyKey}`;
        const saved = this.replays.get(replayKey);
        if (saved && saved.rawBody !== rawBody) {
          const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`;
          throw new StripeApiError(400, message, undefined, undefined, 'idempotency_error');
        }
        if (saved) return send(saved.status, saved.body, true);
      }
      const params = method === 'GET' || method === 'DELETE' ? query : body;
      const result = found.handler(params, found.match.slice(1).map(decodeURIComponent));
      const expand = Array.isArray(params.expand) ? params.expand.map(String) : [];
      const json = JSON.stringify(expand.reduce<unknown>((value, path) => this.expand(value, path.split('.')), result));
      this.save(replayKey, rawBody, 200, json);
      send(200, json);
    } catch (error) {
      const known = error instanceof StripeApiError ? error : new StripeApiError(500, String(error), undefined, undefined, 'api_error');
      const json = JSON.stringify({ error: { type: known.type, message: known.message, code: known.code, param: known.param } });
      // Stripe keeps the result of a request that ran, failed or not, but not of one refused by validation.
      if (known.status !== 400) this.save(replayKey, rawBody, known.status, json);
      send(known.status, json);
    }
  }

  private save(replayKey: string | undefined, rawBody: string, status: number, body: string): void {
    if (replayKey && !this.replays.has(replayKey)) this.replays.set(replayKey, { rawBody, status, body });
  }

  /** `expand[]=data.product`: replaces the id at the end of the path with the object it names. */
  private expand(value: unknown, path: string[]): unknown {
    if (Array.isArray(value)) return value.map((item) => this.expand(item, path));
    if (path.length === 0) return typeof value === 'string' ? (this.lookup(value) ?? value) : value;
    if (typeof value !== 'object' || value === null) return value;
    const [field, ...rest] = path;
    return { ...value, [field]: this.expand((value as Params)[field], rest) };
  }

  private lookup(id: string): StandInObject | undefined {
    for (const map of [this.products, this.prices, this.customers, this.subscriptions, this.invoices]) {
      if (map.has(id)) return map.get(id);
    }
    return undefined;
  }

  /** An object named in the path: 404 when unknown. */
  private get(map: Map<string, StandInObject>, id: string, kind: string): StandInObject {
    const found = map.get(id);
    if (!found) throw new StripeApiError(404, `No such ${kind}: '${id}'`, 'resource_missing', 'id');
    return found;
  }

  /** An object named by a param: 400 when unknown, with the param. */
  private ref(map: Map<string, StandInObject>, id: string, kind: string, param: string): StandInObject {
    const found = map.get(id);
    if (!found) throw new StripeApiError(400, `No such ${kind}: '${id}'`, 'resource_missing', param);
    return found;
  }

  private stamp(prefix: string, object: string, fields: Params, id = newId(prefix)): StandInObject {
    return { id, object, created: now(), livemode: false, metadata: {}, ...fields };
  }

  /** Newest first, `limit` (default 10), `starting_after` / `ending_before` cursors. */
  private list(url: string, map: Map<string, StandInObject>, params: Params, keep: (o: StandInObject) => boolean = () => true) {
    const all = [...map.values()].reverse().sort((a, b) => b.created - a.created).filter(keep);
    const limit = params.limit === undefined ? 10 : integer(params.limit, 'limit');
    if (limit < 1 || limit > 100) throw invalid('limit', 'This value must be between 1 and 100.');
    const cursor = (param: string) => {
      const index = all.findIndex((o) => o.id === params[param]);
      if (index < 0) throw new StripeApiError(400, `No such object: '${String(params[param])}'`, 'resource_missing', param);
      return index;
    };
    if (params.ending_before !== undefined) {
      const end = cursor('ending_before');
      return list(url, all.slice(Math.max(0, end - limit), end), end - limit > 0);
    }
    const start = params.starting_after === undefined ? 0 : cursor('starting_after') + 1;
    return list(url, all.slice(start, start + limit), start + limit < all.length);
  }

  // --- Products and prices ---

  private createProduct(p: Params): StandInObject {
    const id = optional(p.id) ?? undefined;
    if (id && this.products.has(id)) throw new StripeApiError(400, 'Product already exists.', 'resource_already_exists', 'id');
    const fields = { active: true, default_price: null, description: null, images: [], name: required(p, 'name'), tax_code: null, unit_label: null, url: null };
    return this.updateProduct(this.stamp('prod_', 'product', fields, id), p);
  }

  /** Updates validate every param before they change anything, as Stripe's do. */
  private updateProduct(product: StandInObject, p: Params): StandInObject {
    const patch: Params = { metadata: mergeMetadata(product.metadata, p.metadata), updated: now() };
    if (p.name !== undefined) patch.name = required(p, 'name');
    if (p.description !== undefined) patch.description = optional(p.description);
    if (p.active !== undefined) patch.active = bool(p.active, 'active');
    this.products.set(product.id, Object.assign(product, patch));
    return product;
  }

  private listProducts(p: Params) {
    const active = p.active === undefined ? undefined : bool(p.active, 'active');
    return this.list('/v1/products', this.products, p, (product) => active === undefined || product.active === active);
  }

  private createPrice(p: Params): StandInObject {
    const product = this.ref(this.products, required(p, 'product'), 'product', 'product');
    const currency = required(p, 'currency').toLowerCase();
    const unitAmount = integer(required(p, 'unit_amount'), 'unit_amount');
    let recurring = null;
    if (p.recurring !== undefined) {
      const sent = nested(p.recurring, 'recurring');
      const interval = oneOf(required(sent, 'interval', 'recurring[interval]'), 'recurring[interval]', ['day', 'week', 'month', 'year']);
      const count = sent.interval_count === undefined ? 1 : integer(sent.interval_count, 'recurring[interval_count]');
      recurring = { interval, interval_count: count, meter: null, trial_period_days: null, usage_type: 'licensed' };
    }
    const price = {
      active: true,
      billing_scheme: 'per_unit',
      currency,
      custom_unit_amount: null,
      lookup_key: null,
      nickname: null,
      product: product.id,
      recurring,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
    };
    return this.updatePrice(this.stamp('price_', 'price', price), p);
  }

  /** Lookup keys are unique among prices: a taken one moves only with `transfer_lookup_key=true`. */
  private updatePrice(price: StandInObject, p: Params): StandInObject {
    const patch: Params = { metadata: mergeMetadata(price.metadata, p.metadata) };
    if (p.active !== undefined) patch.active = bool(p.active, 'active');
    if (p.nickname !== undefined) patch.nickname = optional(p.nickname);
    if (p.tax_behavior !== undefined) patch.tax_behavior = oneOf(p.tax_behavior, 'tax_behavior', ['inclusive', 'exclusive', 'unspecified']);
    if (p.lookup_key !== undefined) patch.lookup_key = optional(p.lookup_key);
    const transfer = p.transfer_lookup_key !== undefined && bool(p.transfer_lookup_key, 'transfer_lookup_key');
    const holder = patch.lookup_key ? [...this.prices.values()].find((other) => other.lookup_key === patch.lookup_key && other.id !== price.id) : undefined;
    if (holder && !transfer) throw invalid('lookup_key', `A price (\`${holder.id}\`) already uses that lookup key.`);
    if (holder) holder.lookup_key = null;
    this.prices.set(price.id, Object.assign(price, patch));
    return price;
  }

  private listPrices(p: Params) {
    const lookupKeys = p.lookup_keys === undefined ? undefined : Array.isArray(p.lookup_keys) ? p.lookup_keys.map(String) : [String(p.lookup_keys)];
    const active = p.active === undefined ? undefined : bool(p.active, 'active');
    return this.list('/v1/prices', this.prices, p, (price) =>
      (active === undefined || price.active === active) &&
      (p.product === undefined || price.product === p.product) &&
      (p.currency === undefined || price.currency === String(p.currency).toLowerCase()) &&
      (p.type === undefined || price.type === p.type) &&
      (lookupKeys === undefined || lookupKeys.includes(price.lookup_key as string)),
    );
  }

  // --- Customers ---

  private saveCustomer(customer: StandInObject, p: Params): StandInObject {
    const patch: Params = { metadata: mergeMetadata(customer.metadata, p.metadata) };
    for (const field of ['name', 'email', 'phone', 'description']) {
      if (p[field] !== undefined || !(field in customer)) patch[field] = optional(p[field]) ?? null;
    }
    if (p.preferred_locales !== undefined || !('preferred_locales' in customer)) {
      patch.preferred_locales = Array.isArray(p.preferred_locales) ? p.preferred_locales.map(String) : [];
    }
    if (p.address !== undefined || !('address' in customer)) {
      const sent = p.address === undefined || p.address === '' ? undefined : nested(p.address, 'address');
      const fields = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'];
      patch.address = sent ? Object.fromEntries(fields.map((field) => [field, optional(sent[field]) ?? null])) : null;
    }
    this.customers.set(customer.id, Object.assign(customer, patch));
    return customer;
  }

  /** Stripe's search language, the part we use: `field:'value'` clauses joined by AND, `metadata['key']` fields. */
  private searchCustomers(p: Params) {
    const clauses = required(p, 'query')
      .split(/\s+AND\s+/i)
      .map((clause) => {
        const match = /^(?:metadata\[(['"])(.+?)\1\]|(email|name|phone)):(['"])(.*)\4$/.exec(clause.trim());
        if (!match) throw invalid('query', `The stand-in cannot parse this search query clause: ${clause}`);
        const [, , key, field, , value] = match;
        return (c: StandInObject) => (key === undefined ? c[field] : c.metadata[key]) === value;
      });
    const data = [...this.customers.values()].reverse().filter((c) => clauses.every((matches) => matches(c)));
    const limit = p.limit === undefined ? 10 : integer(p.limit, 'limit');
    return { object: 'search_result', data: data.slice(0, limit), has_more: data.length > limit, next_page: null, url: '/v1/customers/search' };
  }

  // --- Checkout and the customer portal ---

  private createCheckoutSession(p: Params) {
    // API version 2026-10-28 dropped `payment_method_types` from the create params for `allowed_payment_method_types`.
    if (p.payment_method_types !== undefined) throw new StripeApiError(400, 'Received unknown parameter: payment_method_types', 'parameter_unknown', 'payment_method_types');
    const mode = oneOf(required(p, 'mode'), 'mode', ['payment', 'setup', 'subscription']);
    const customer = p.customer === undefined ? null : this.ref(this.customers, required(p, 'customer'), 'customer', 'customer').id;
    if (mode !== 'setup' && (!Array.isArray(p.line_items) || p.line_items.length === 0)) throw missing('line_items');
    const items = ((p.line_items ?? []) as unknown[]).map((sent, i) => {
      const item = nested(sent, `line_items[${i}]`);
      const param = `line_items[${i}][price]`;
      const price = this.ref(this.prices, required(item, 'price', param), 'price', param);
      if (!price.active) throw invalid(param, 'The price specified is inactive. This field only accepts active prices.');
      return { price, quantity: item.quantity === undefined ? 1 : integer(item.quantity, `line_items[${i}][quantity]`) };
    });
    const currencies = new Set(items.map((item) => item.price.currency as string));
    const currency = optional(p.currency)?.toLowerCase() ?? [...currencies][0] ?? null;
    if (currencies.size > 1 || (currency && currencies.size === 1 && !currencies.has(currency))) {
      throw invalid('line_items', `All prices on a Checkout Session must be in ${currency ?? 'one currency'}.`);
    }
    const recurring = items.filter((item) => item.price.type === 'recurring').length;
    if (mode === 'subscription' && recurring === 0) throw invalid('line_items', 'You must provide at least one recurring price in `subscription` mode when using prices.');
    if (mode === 'payment' && recurring > 0) {
      throw invalid('line_items', 'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.');
    }
    const allowed = Array.isArray(p.allowed_payment_method_types) ? p.allowed_payment_method_types.map(String) : undefined;
    const amount = items.reduce((sum, item) => sum + (item.price.unit_amount as number) * item.quantity, 0);
    const session = this.stamp('cs_test_', 'checkout.session', {
      allow_promotion_codes: p.allow_promotion_codes === undefined ? null : bool(p.allow_promotion_codes, 'allow_promotion_codes'),
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: optional(p.cancel_url) ?? null,
      client_reference_id: optional(p.client_reference_id) ?? null,
      currency,
      customer,
      customer_email: optional(p.customer_email) ?? null,
      expires_at: now() + 24 * 3600,
      invoice: null,
      locale: optional(p.locale) ?? null,
      mode,
      payment_intent: null,
      allowed_payment_method_types: allowed ?? null,
      payment_method_types: allowed ?? ['card'],
      payment_status: 'unpaid',
      setup_intent: null,
      status: 'open',
      subscription: null,
      success_url: optional(p.success_url) ?? null,
      ui_mode: 'hosted',
    }, newId('cs_test_', 58));
    session.metadata = mergeMetadata({}, p.metadata);
    session.url = `${this.apiBase}/checkout/${session.id}`;
    this.checkoutSessions.set(session.id, { ...session, line_items: p.line_items, subscription_data: p.subscription_data });
    return session;
  }

  /** A session as Stripe returns it: what was sent for the line items and subscription is not echoed. */
  private shownSession(stored: StandInObject): Params {
    const { line_items: _lineItems, subscription_data: _subscriptionData, ...session } = stored;
    return session;
  }

  private createPortalSession(p: Params): StandInObject {
    const customer = this.ref(this.customers, required(p, 'customer'), 'customer', 'customer');
    const session = this.stamp('bps_', 'billing_portal.session', {
      configuration: 'bpc_standin',
      customer: customer.id,
      flow: null,
      locale: optional(p.locale) ?? null,
      on_behalf_of: null,
      return_url: optional(p.return_url) ?? null,
    });
    session.url = `${this.apiBase}/p/session/${session.id}`;
    this.portalSessions.set(session.id, session);
    return session;
  }

  // --- Subscriptions and invoices ---

  /** In API versions since 2025-03-31 the billing period lives on each subscription item, not on the subscription. */
  private subscriptionItem(subscription: string, price: StandInObject, quantity: number, start: number, end: number): StandInObject {
    return this.stamp('si_', 'subscription_item', { current_period_end: end, current_period_start: start, discounts: [], price, quantity, subscription, tax_rates: [] });
  }

  private items(subscription: StandInObject): StandInObject[] {
    return (subscription.items as { data: StandInObject[] }).data;
  }

  private listSubscriptions(p: Params) {
    // Without a status, Stripe lists the subscriptions that are not canceled.
    return this.list('/v1/subscriptions', this.subscriptions, p, (s) =>
      (p.customer === undefined || s.customer === p.customer) &&
      (p.price === undefined || this.items(s).some((item) => (item.price as StandInObject).id === p.price)) &&
      (p.status === 'all' || (p.status === undefined ? s.status !== 'canceled' : s.status === p.status)),
    );
  }

  private updateSubscription(subscription: StandInObject, p: Params): StandInObject {
    if (subscription.status === 'canceled' && Object.keys(p).some((key) => !['metadata', 'cancellation_details', 'expand'].includes(key))) {
      throw new StripeApiError(400, 'A canceled subscription can only update its cancellation_details and metadata.');
    }
    if (p.proration_behavior !== undefined) oneOf(p.proration_behavior, 'proration_behavior', ['always_invoice', 'create_prorations', 'none']);
    if (p.items !== undefined && !Array.isArray(p.items)) throw invalid('items', 'Invalid array: items');
    const items = [...this.items(subscription)];
    const [first] = items;
    for (const [i, sent] of ((p.items ?? []) as unknown[]).entries()) {
      const change = nested(sent, `items[${i}]`);
      const price = change.price === undefined ? undefined : this.ref(this.prices, required(change, 'price', `items[${i}][price]`), 'price', `items[${i}][price]`);
      const quantity = change.quantity === undefined ? undefined : integer(change.quantity, `items[${i}][quantity]`);
      if (change.id === undefined) {
        if (!price) throw missing(`items[${i}][price]`);
        items.push(this.subscriptionItem(subscription.id, price, quantity ?? 1, first.current_period_start as number, first.current_period_end as number));
        continue;
      }
      const index = items.findIndex((item) => item.id === change.id);
      if (index < 0) throw new StripeApiError(400, `No such subscription item: '${String(change.id)}'`, 'resource_missing', `items[${i}][id]`);
      if (change.deleted !== undefined && bool(change.deleted, `items[${i}][deleted]`)) items.splice(index, 1);
      else items[index] = { ...items[index], ...(price && { price }), ...(quantity !== undefined && { quantity }) };
    }
    const patch: Params = { metadata: mergeMetadata(subscription.metadata, p.metadata), items: { ...(subscription.items as object), data: items } };
    if (p.cancel_at_period_end !== undefined) {
      patch.cancel_at_period_end = bool(p.cancel_at_period_end, 'cancel_at_period_end');
      patch.cancel_at = patch.cancel_at_period_end ? first.current_period_end : null;
    }
    return Object.assign(subscription, patch);
  }

  private cancelSubscription(subscription: StandInObject): StandInObject {
    if (subscription.status === 'canceled') throw new StripeApiError(404, `No such subscription: '${subscription.id}'`, 'resource_missing', 'id');
    Object.assign(subscription, { status: 'canceled', canceled_at: now(), ended_at: now() });
    return subscription;
  }

  private listInvoices(p: Params) {
    return this.list('/v1/invoices', this.invoices, p, (invoice) =>
      (p.customer === undefined || invoice.customer === p.customer) &&
      (p.status === undefined || invoice.status === p.status) &&
      (p.subscription === undefined || (invoice.parent as { subscription_details?: { subscription: string } } | null)?.subscription_details?.subscription === p.subscription),
    );
  }

  /** `invoices.createPreview`: the next invoice of a subscription, with an `upcoming_in_…` id. */
  private previewInvoice(p: Params): StandInObject {
    if (p.customer === undefined && p.subscription === undefined) throw missing('customer');
    const customer = p.customer === undefined ? undefined : this.ref(this.customers, required(p, 'customer'), 'customer', 'customer').id;
    const subscription =
      p.subscription !== undefined
        ? this.ref(this.subscriptions, required(p, 'subscription'), 'subscription', 'subscription')
        : [...this.subscriptions.values()].find((s) => s.customer === customer && s.status !== 'canceled');
    if (customer && subscription && subscription.customer !== customer) throw invalid('subscription', `The subscription does not belong to customer ${customer}.`);
    if (!subscription || subscription.status === 'canceled' || subscription.cancel_at_period_end) {
      throw new StripeApiError(404, `No upcoming invoices for customer: ${customer ?? String(subscription?.customer)}`, 'invoice_upcoming_none');
    }
    const id = newId('upcoming_in_');
    const items = this.items(subscription);
    const periodEnd = items[0].current_period_end as number;
    const lines = items.map((item) => {
      const price = item.price as StandInObject;
      const start = item.current_period_end as number;
      const period = { start, end: addInterval(start, price.recurring as Recurring) };
      return this.invoiceLine(id, (price.unit_amount as number) * (item.quantity as number), price.currency as string, subscription, period, item);
    });
    const invoice = this.invoice(id, subscription.customer as string, subscription, lines, 'draft', periodEnd);
    const upcoming = { period_start: items[0].current_period_start, next_payment_attempt: periodEnd + 3600, hosted_invoice_url: null, invoice_pdf: null, number: null };
    return Object.assign(invoice, upcoming);
  }

  private invoiceLine(
    invoice: string,
    amount: number,
    currency: string,
    subscription: StandInObject | undefined,
    period: { start: number; end: number },
    item?: StandInObject,
  ): StandInObject {
    const price = item?.price as StandInObject | undefined;
    const quantity = item?.quantity ?? 1;
    return {
      ...this.stamp('il_', 'line_item', { amount, currency, description: null, discountable: true, discounts: [], invoice, period, quantity, subtotal: amount, taxes: [] }),
      parent: subscription
        ? {
            type: 'subscription_item_details',
            invoice_item_details: null,
            subscription_item_details: { invoice_item: null, proration: false, proration_details: null, subscription: subscription.id, subscription_item: item?.id ?? null },
          }
        : null,
      pricing: price ? { type: 'price_details', price_details: { price: price.id, product: price.product }, unit_amount_decimal: price.unit_amount_decimal } : null,
      subscription: subscription?.id ?? null,
    };
  }

  /** Since API version 2025-03-31 an invoice names its subscription under `parent.subscription_details`. */
  private invoice(id: string, customer: string, subscription: StandInObject | undefined, lines: StandInObject[], status: string, created: number): StandInObject {
    const total = lines.reduce((sum, line) => sum + (line.amount as number), 0);
    const paid = status === 'paid';
    return this.stamp('in_', 'invoice', {
      amount_due: total,
      amount_paid: paid ? total : 0,
      amount_remaining: paid ? 0 : total,
      attempt_count: paid ? 1 : 0,
      attempted: paid,
      billing_reason: subscription ? 'subscription_cycle' : 'manual',
      collection_method: 'charge_automatically',
      created,
      currency: lines[0]?.currency,
      customer,
      description: null,
      due_date: null,
      hosted_invoice_url: `${this.apiBase}/i/${id}`,
      invoice_pdf: `${this.apiBase}/i/${id}/pdf`,
      lines: list(`/v1/invoices/${id}/lines`, lines),
      next_payment_attempt: status === 'open' ? created + 3600 : null,
      number: `STANDIN-${String(this.invoices.size + 1).padStart(4, '0')}`,
      parent: subscription
        ? { type: 'subscription_details', quote_details: null, subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id } }
        : null,
      period_end: created,
      period_start: created,
      status,
      status_transitions: { finalized_at: status === 'draft' ? null : created, marked_uncollectible_at: null, paid_at: paid ? created : null, voided_at: null },
      subtotal: total,
      total,
    }, id);
  }
}

/** A webhook body and its `Stripe-Signature` header, signed as Stripe signs them, for webhook handler tests. */
export function signedWebhook(stripe: Stripe, secret: string, event: object): { payload: string; signature: string } {
  const payload = JSON.stringify(event, null, 2);
  return { payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}
