import { isTimeZone, localDateTime } from './timezone';

describe('localDateTime', () => {
  it("reads an instant on a zone's clock with the zone's offset at that instant", () => {
    const at = new Date('2031-03-03T05:00:00Z');
    expect(localDateTime(at, 'Asia/Kolkata')).toBe('2031-03-03T10:30:00+05:30');
    expect(localDateTime(at, 'UTC')).toBe('2031-03-03T05:00:00+00:00');
    expect(localDateTime(at, 'America/Toronto')).toBe('2031-03-03T00:00:00-05:00');
    expect(localDateTime(new Date('2031-07-01T03:59:59Z'), 'America/Toronto')).toBe('2031-06-30T23:59:59-04:00');
    expect(localDateTime(new Date('2031-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2031-01-01T05:45:00+05:45');
  });

  it('knows aliases as time zones', () => {
    expect(isTimeZone('Asia/Calcutta')).toBe(true);
    expect(localDateTime(new Date('2031-03-03T05:00:00Z'), 'Asia/Calcutta')).toBe('2031-03-03T10:30:00+05:30');
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
