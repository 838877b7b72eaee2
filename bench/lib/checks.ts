import { RunningApi } from './api';

/** The parts of a patient or a page of patients the checks look at. */
export interface Answer {
  id?: string;
  items?: unknown[];
  hasMore?: boolean;
}

export async function getJson(api: RunningApi, path: string, token: string): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: body as Answer };
}

/** Audit fields and timestamps aside, two APIs must answer the same request with the same body. */
export async function assertSameAnswers(apis: RunningApi[], paths: string[], token: string, check: (path: string, body: Answer) => string | null): Promise<void> {
  for (const path of paths) {
    const answers = await Promise.all(apis.map((api) => getJson(api, path, token)));
    for (const [i, a] of answers.entries()) {
      if (a.status !== 200) throw new Error(`${apis[i].label}: GET ${path} answered ${a.status}: ${JSON.stringify(a.body)}`);
      const problem = check(path, a.body);
      if (problem) throw new Error(`${apis[i].label}: GET ${path}: ${problem}`);
    }
    const first = JSON.stringify(answers[0].body);
    for (const [i, a] of answers.entries()) {
      if (JSON.stringify(a.body) !== first) throw new Error(`GET ${path}: ${apis[i].label} and ${apis[0].label} answered differently`);
    }
  }
}
