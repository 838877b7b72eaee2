import { ErrorCode, errorBody, errorStatus } from './errors';

describe('the gateway error catalogue', () => {
  it('answers each code with its catalogued status', () => {
    expect(errorStatus(ErrorCode.OrganizationBusy)).toBe(503);
    expect(errorStatus(ErrorCode.MisdirectedRequest)).toBe(421);
    expect(errorStatus(ErrorCode.UpstreamOutcomeUnknown)).toBe(502);
  });

  it('answers 504 for the upstream codes when the region timed out, and only for them', () => {
    expect(errorStatus(ErrorCode.RegionUnavailable, 'upstreamTimedOut')).toBe(504);
    expect(errorStatus(ErrorCode.UpstreamOutcomeUnknown, 'upstreamTimedOut')).toBe(504);
    expect(errorStatus(ErrorCode.RegionBusy, 'upstreamTimedOut')).toBe(503);
  });

  it('answers headers over the limit 431 under BAD_REQUEST', () => {
    expect(errorStatus(ErrorCode.BadRequest, 'headersTooLarge')).toBe(431);
    expect(errorBody(431, ErrorCode.BadRequest, 'Malformed request')).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'Malformed request',
      code: 'BAD_REQUEST',
    });
  });
});
