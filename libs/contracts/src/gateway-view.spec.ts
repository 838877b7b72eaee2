import { parseGatewayRegions } from './gateway-view';

describe('a gateway’s view of the regions', () => {
  it('keeps each region’s three fields and nothing else', () => {
    expect(parseGatewayRegions({ in: { routing: true, ready: false, probeFailures: 2, note: 'Priya' } })).toEqual({ in: { routing: true, ready: false, probeFailures: 2 } });
    expect(parseGatewayRegions({})).toEqual({});
  });

  it('refuses what a gateway never sends', () => {
    for (const bad of [
      null,
      [],
      'in',
      { IN: { routing: true, ready: true, probeFailures: 0 } },
      { in: { routing: 'yes', ready: true, probeFailures: 0 } },
      { in: { routing: true, ready: true, probeFailures: -1 } },
      { in: { routing: true, ready: true, probeFailures: 1.5 } },
      { in: null },
      Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`r${i}`, { routing: true, ready: true, probeFailures: 0 }])),
    ]) {
      expect(parseGatewayRegions(bad)).toBeNull();
    }
  });
});
