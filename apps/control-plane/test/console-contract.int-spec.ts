// A contract test: the console's own API layer, as it ships, against this app's document.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ApiClient } from '../../console/src/api/client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { medgenieApi, MedgenieApi } from '../../console/src/api/medgenie';
import { startTestControlPlane, TestControlPlane } from './support';

/** What the console's API layer sent: method, path, query keys and JSON body. */
interface Sent {
  call: string;
  method: string;
  path: string;
  query: string[];
  body: unknown;
}

interface Schema {
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}

interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const ID = '00000000-0000-4000-8000-000000000001';
const TOKEN = 'x'.repeat(40);
const FLAG = { name: 'fax_integration', enabled: true, description: 'Fax', strategies: [{ constraints: [{ contextName: 'regionId' as const, operator: 'IN' as const, values: ['ca'] }] }] };

/** One sample call of every function of the console's API layer (a new function without one fails the test). */
const CALLS: Record<string, (api: MedgenieApi) => Promise<unknown>> = {
  'auth.login': (a) => a.auth.login('admin@medgenie.test', 'a password'),
  'auth.loginMfa': (a) => a.auth.loginMfa(TOKEN, { code: '123456' }),
  'auth.mfaSetup': (a) => a.auth.mfaSetup(TOKEN),
  'auth.mfaActivate': (a) => a.auth.mfaActivate(TOKEN, '123456'),
  'auth.changePassword': (a) => a.auth.changePassword('admin@medgenie.test', 'old password', 'a new password here', { code: '123456' }),
  'auth.mfaStatus': (a) => a.auth.mfaStatus(),
  'auth.mfaSetupSignedIn': (a) => a.auth.mfaSetupSignedIn('a password'),
  'auth.mfaActivateSignedIn': (a) => a.auth.mfaActivateSignedIn('123456'),
  'auth.newRecoveryCodes': (a) => a.auth.newRecoveryCodes('123456'),
  'auth.mfaDisable': (a) => a.auth.mfaDisable({ password: 'a password' }),
  regions: (a) => a.regions(),
  regionsOverview: (a) => a.regionsOverview(),
  signup: (a) =>
    a.signup({ organizationName: 'Asha Clinic', slug: 'asha', regionId: 'in', adminName: 'Asha Rao', adminEmail: 'asha@example.test', adminPassword: 'a long password', clinicName: 'Main' }),
  'organizations.list': (a) => a.organizations.list({ search: 'asha', regionId: 'in', plan: 'basic', status: 'active', limit: 25, offset: 0 }),
  'organizations.get': (a) => a.organizations.get(ID),
  'organizations.suspend': (a) => a.organizations.suspend(ID, 'unpaid invoices'),
  'organizations.reactivate': (a) => a.organizations.reactivate(ID),
  'organizations.changePlan': (a) => a.organizations.changePlan(ID, 'premium', true),
  'organizations.domains': (a) => a.organizations.domains(ID),
  'organizations.setDomains': (a) => a.organizations.setDomains(ID, ['clinic.example.com']),
  'organizations.usage': (a) => a.organizations.usage(ID, { from: '2026-11-01', to: '2026-11-30' }),
  'organizations.billing': (a) => a.organizations.billing(ID),
  'usage.aggregates': (a) => a.usage.aggregates('plan'),
  'usage.history': (a) => a.usage.history('region', { from: '2026-11-01', to: '2026-11-30' }),
  'usage.collect': (a) => a.usage.collect(),
  'flags.list': (a) => a.flags.list(),
  'flags.put': (a) => a.flags.put(FLAG),
  'flags.toggle': (a) => a.flags.toggle(FLAG.name, false),
  'flags.target': (a) => a.flags.target(FLAG.name, { enabled: FLAG.enabled, strategies: FLAG.strategies }),
  'flags.preview': (a) => a.flags.preview({ enabled: FLAG.enabled, strategies: FLAG.strategies }),
  audit: (a) => a.audit({ limit: 20, action: 'organization.*', targetId: ID }),
};

/** Every function of the API layer, by its dotted name. */
function functionsOf(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => (typeof v === 'function' ? [`${prefix}${key}`] : typeof v === 'object' && v ? functionsOf(v, `${prefix}${key}.`) : []));
}

const TYPE_OF: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/**
 * The console's typed API layer checked against the control plane's OpenAPI document (built from
 * the very validation rules of its DTOs): every request it can send goes to a documented route and
 * method, and every body carries only documented fields, of their documented types, with the
 * required ones present. Responses are the console's own hand-written types (the document does
 * not describe them); its browser tests exercise those against the real platform.
 */
describe('the console against the control plane’s OpenAPI document', () => {
  let cp: TestControlPlane;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  const sent: Sent[] = [];

  beforeAll(async () => {
    cp = await startTestControlPlane();
    doc = (await cp.client.get<typeof doc>('/openapi.json')).body;
    let current = '';
    const fetchFn = (async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://console.localhost');
      sent.push({ call: current, method: init?.method ?? 'GET', path: url.pathname, query: [...url.searchParams.keys()], body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
      const body = url.pathname === '/v1/auth/refresh' ? { accessToken: 'a.b.c', refreshToken: TOKEN } : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const store = new Map<string, string>();
    const client = new ApiClient({ getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) }, fetchFn);
    const api = medgenieApi(client);
    client.startSession({ accessToken: 'a.b.c', refreshToken: TOKEN }, 'admin@medgenie.test');
    expect(Object.keys(CALLS).sort()).toEqual(functionsOf(api).sort());
    for (const [name, call] of Object.entries(CALLS)) {
      current = name;
      await call(api);
    }
    current = 'client.refresh';
    await client.refresh();
    current = 'client.signOut';
    await client.signOut();
  });
  afterAll(() => cp?.close());

  /** The operation a request reaches: a route with that method whose path matches, a literal path before a parameter. */
  const operationOf = (s: Sent): Operation | undefined => {
    const templates = Object.keys(doc.paths)
      .filter((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(s.path) && doc.paths[p][s.method.toLowerCase()])
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    return templates.length ? doc.paths[templates[0]][s.method.toLowerCase()] : undefined;
  };
  const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema);

  it('sends every request to a documented route and method', () => {
    expect(sent.length).toBe(Object.keys(CALLS).length + 2);
    const undocumented = sent.filter((s) => !operationOf(s)).map((s) => `${s.call}: ${s.method} ${s.path}`);
    expect(undocumented).toEqual([]);
  });

  it('sends only documented body fields, of their types, with the required ones', () => {
    const problems: string[] = [];
    for (const s of sent) {
      const op = operationOf(s);
      if (!op || s.body === undefined) continue;
      const content = op.requestBody?.content['application/json'];
      if (!content) {
        if (Object.keys(s.body as object).length > 0) problems.push(`${s.call}: a body where the route takes none`);
        continue;
      }
      const schema = resolve(content.schema);
      const body = s.body as Record<string, unknown>;
      for (const [key, value] of Object.entries(body)) {
        const property = schema.properties?.[key];
        if (!property) problems.push(`${s.call}: ${key} is not a field of ${content.schema.$ref ?? 'the body'}`);
        else if (property.type && !TYPE_OF[property.type]?.(value)) problems.push(`${s.call}: ${key} is not a ${property.type}`);
      }
      for (const key of schema.required ?? []) if (!(key in body)) problems.push(`${s.call}: ${key} is required`);
    }
    expect(problems).toEqual([]);
  });

  it('would notice a drift: a field the API does not know, or a route it does not have', () => {
    const login = operationOf({ call: 'x', method: 'POST', path: '/v1/auth/login', query: [], body: {} });
    expect(resolve(login!.requestBody!.content['application/json'].schema).properties).not.toHaveProperty('remember');
    expect(operationOf({ call: 'x', method: 'POST', path: `/v1/admin/organizations/${ID}/archive`, query: [], body: {} })).toBeUndefined();
    // Nested bodies are described by their own schema, and a PartialType body by its fields.
    expect(doc.components.schemas.PutFlagDto.properties?.strategies).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/FlagStrategyDto' } });
    expect(Object.keys(doc.components.schemas.PatchFlagDto.properties ?? {}).sort()).toEqual(['description', 'enabled', 'strategies']);
    expect(operationOf({ call: 'x', method: 'DELETE', path: `/v1/admin/organizations/${ID}`, query: [], body: undefined })).toBeUndefined();
  });
});
