import { fromDraft } from './flag-draft';

describe('fromDraft', () => {
  it('splits values on commas and lines, trims them and drops empty ones', () => {
    expect(
      fromDraft([
        [
          { contextName: 'regionId', operator: 'IN', values: ' in, ca ,\nus,, ' },
          { contextName: 'plan', operator: 'NOT_IN', values: 'trial' },
        ],
        [],
      ]),
    ).toEqual([
      {
        constraints: [
          { contextName: 'regionId', operator: 'IN', values: ['in', 'ca', 'us'] },
          { contextName: 'plan', operator: 'NOT_IN', values: ['trial'] },
        ],
      },
      { constraints: [] },
    ]);
  });
});
