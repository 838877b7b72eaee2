import { ifNoneMatchHits, strongEtag, toUnleashFeatures } from './unleash-features';

describe('the Unleash features document', () => {
  it('gives each strategy as a default with its constraints, and a flag without strategies one unconstrained default', () => {
    const doc = toUnleashFeatures([
      { name: 'upi_payments', enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }] }] },
      { name: 'everyone', enabled: false, strategies: [] },
    ]);
    expect(doc.version).toBe(2);
    expect(doc.features[0].strategies).toEqual([
      { name: 'default', parameters: {}, constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'], caseInsensitive: false, inverted: false }] },
    ]);
    expect(doc.features[1]).toMatchObject({ name: 'everyone', enabled: false, strategies: [{ name: 'default', parameters: {}, constraints: [] }] });
  });
});

describe('ETag and If-None-Match', () => {
  const etag = strongEtag('{"version":2,"features":[]}');

  it('is a strong validator of the bytes', () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(strongEtag('{"version":2,"features":[ ]}')).not.toBe(etag);
  });

  it.each([
    [etag, true],
    [`W/${etag}`, true],
    [`"a", ${etag}`, true],
    ['*', true],
    [[`"a"`, etag], true],
    ['"a"', false],
    ['', false],
    [undefined, false],
  ])('If-None-Match %j matches: %s', (header, hits) => {
    expect(ifNoneMatchHits(header, etag)).toBe(hits);
  });
});
