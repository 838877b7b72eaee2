import { ApiError } from './client';
import { shouldRetry } from './queries';

describe('retrying a query', () => {
  it('tries once more after a server error or no answer, never after a 4xx', () => {
    expect(shouldRetry(0, new ApiError(503, 'Region in is unavailable', 'REGION_UNAVAILABLE'))).toBe(true);
    expect(shouldRetry(0, new TypeError('Failed to fetch'))).toBe(true);
    expect(shouldRetry(1, new ApiError(500, 'boom'))).toBe(false);
    for (const status of [400, 401, 403, 404, 409, 429]) expect(shouldRetry(0, new ApiError(status, 'no'))).toBe(false);
  });
});
