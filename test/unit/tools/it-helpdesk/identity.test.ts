import { normaliseEmployeeId, pinHash, pinMatches } from '../../../../tools/it-helpdesk/shared.js';

describe('employee ids', () => {
  it.each([['E10234', 'E10234'], ['e10234', 'E10234'], ['E-10234', 'E10234'], ['10234', 'E10234'], [' e 10 234 ', 'E10234']])(
    'reads %j as %s', (raw, id) => expect(normaliseEmployeeId(raw)).toBe(id),
  );
  it.each(['E1023', 'X10234', '1023456', ''])('refuses %j', (raw) => {
    expect(() => normaliseEmployeeId(raw)).toThrow(expect.objectContaining({ code: 'INVALID_EMPLOYEE_ID' }));
  });
});

describe('helpdesk PINs', () => {
  const salt = 'be89aa1e88ebd36f';
  const employee = { pin_salt: salt, pin_hash: pinHash(salt, '482913') };
  it('matches only the right PIN', () => {
    expect(pinMatches(employee, '482913')).toBe(true);
    expect(pinMatches(employee, '482914')).toBe(false);
  });
  it('matches nothing when no PIN is set', () => {
    expect(pinMatches({ pin_salt: null, pin_hash: null }, '482913')).toBe(false);
  });
  it('agrees with the seeded hash of the demo employee', () => {
    expect(pinHash(salt, '482913')).toBe('8666e48ee8ea1316342c6038d95e1e56f498c6af8bfb98b1a41aea16933b1b62');
  });
});
