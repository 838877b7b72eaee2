/** Host names the platform keeps for itself (and region ids, which are host labels too). */
export const RESERVED_SLUGS = new Set([
  'admin', 'api', 'app', 'assets', 'auth', 'billing', 'blog', 'cdn', 'console', 'dashboard', 'dev', 'docs',
  'gateway', 'help', 'internal', 'localhost', 'login', 'mail', 'medgenie', 'ns1', 'ns2', 'root', 'signup',
  'smtp', 'staging', 'static', 'status', 'support', 'system', 'www',
  'us', 'in', 'ca', 'eu', 'uk', 'au',
]);
