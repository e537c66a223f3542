import { isoWeekday, plusDays, resolveDay, resolveDayTime } from '../../../../tools/real-estate/relativeDates.js';
import { ToolError } from '../../../../src/toolkit/index.js';

// Tuesday 2 July 2030, 23:30 in Los Angeles = Wednesday 06:30 UTC.
const NOW = new Date('2030-07-03T06:30:00Z');
const LA = 'America/Los_Angeles';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ToolError ? err.code : 'not a ToolError';
  }
};

describe('resolveDay', () => {
  it('resolves today and tomorrow in the business time zone, not UTC', () => {
    expect(resolveDay('today', NOW, LA)).toBe('2030-07-02');
    expect(resolveDay('Tomorrow', NOW, LA)).toBe('2030-07-03');
    expect(resolveDay('today', NOW, 'UTC')).toBe('2030-07-03');
  });

  it('takes a weekday name as its next occurrence after today', () => {
    expect(resolveDay('wednesday', NOW, LA)).toBe('2030-07-03');
    expect(resolveDay('next Monday', NOW, LA)).toBe('2030-07-08');
    expect(resolveDay('tuesday', NOW, LA)).toBe('2030-07-09');
  });

  it('passes real ISO dates through and refuses impossible or unknown ones', () => {
    expect(resolveDay('2030-12-31', NOW, LA)).toBe('2030-12-31');
    expect(codeOf(() => resolveDay('2030-02-30', NOW, LA))).toBe('INVALID_DATE');
    expect(codeOf(() => resolveDay('the day after', NOW, LA))).toBe('INVALID_DATE');
  });
});

describe('resolveDayTime', () => {
  it('accepts ISO local times and day words with a time', () => {
    expect(resolveDayTime('2030-07-05T09:30', NOW, LA).local).toBe('2030-07-05T09:30');
    expect(resolveDayTime('friday 9:30', NOW, LA).local).toBe('2030-07-05T09:30');
    expect(resolveDayTime('tomorrow at 14:00', NOW, LA).local).toBe('2030-07-03T14:00');
  });

  it('refuses impossible times and shapeless text', () => {
    expect(codeOf(() => resolveDayTime('friday 25:00', NOW, LA))).toBe('INVALID_TIME');
    expect(codeOf(() => resolveDayTime('friday afternoon', NOW, LA))).toBe('INVALID_TIME');
    expect(codeOf(() => resolveDayTime('2030-02-30T10:00', NOW, LA))).toBe('INVALID_DATE');
  });
});

describe('calendar helpers', () => {
  it('adds days across month ends and knows ISO weekdays', () => {
    expect(plusDays('2030-02-27', 2)).toBe('2030-03-01');
    expect(isoWeekday('2030-07-07')).toBe(7);
    expect(isoWeekday('2030-07-08')).toBe(1);
  });
});
