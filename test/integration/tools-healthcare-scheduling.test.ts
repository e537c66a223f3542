/**
 * Healthcare scheduling against real Postgres: availability from weekly blocks (across a DST
 * change), booking, rescheduling, cancelling and SMS reminders, with the database refusing
 * double bookings even when the tool's own check is bypassed.
 */
import { healthcareTools } from '../../tools/healthcare/index.js';
import {
  openVerticalDb, pgliteTarget, postgresTarget, runTool, testCall, toolFrom, type StoreTarget, type TestCall, type VerticalTestDb,
} from './tools-healthcare.helpers.js';

// Starting embedded PGlite takes many seconds on a loaded machine.
const SETUP_TIMEOUT_MS = 120_000;

const tool = toolFrom(healthcareTools);

// Monday 4 March 2030, 08:00 in the clinic (EST, UTC-5). US daylight time starts Sunday 10 March.
const NOW = new Date('2030-03-04T13:00:00Z');

interface Slot { providerId: string; provider: string; startsAt: string; when: string; location: string }
interface Appointment { appointmentId: number; when: string; startsAt: string; provider: string; location: string }

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('healthcare scheduling tools on $name', (target) => {
  let t: VerticalTestDb;

  beforeAll(async () => {
    t = await openVerticalDb('healthcare', target);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await t.close();
  });

  const newCall = (options?: { sms?: boolean; call?: boolean }): TestCall => testCall(t.db, 'healthcare', NOW, options);

  async function verifiedCall(first: string, last: string, dob: string, options?: { sms?: boolean }): Promise<{ call: TestCall; patientId: number }> {
    const call = newCall(options);
    const res = await runTool<{ verified: boolean; patientId: number }>(tool('hc_verify_identity'), { firstName: first, lastName: last, dateOfBirth: dob }, call);
    expect(res.result.verified).toBe(true);
    return { call, patientId: res.result.patientId };
  }

  const maria = (options?: { sms?: boolean }) => verifiedCall('Maria', 'Garcia', '1985-04-12', options);
  const emily = () => verifiedCall('Emily', 'Carter', '1990-09-15');

  async function slots(args: Record<string, unknown>, call: TestCall = newCall()): Promise<Slot[]> {
    const res = await runTool<{ slots: Slot[] }>(tool('hc_provider_availability'), args, call);
    expect(res.status).toBe('ok');
    return res.result.slots;
  }

  describe('hc_provider_availability', () => {
    it("cuts slots from the provider's weekly blocks, after the booking lead time", async () => {
      const open = await slots({ providerId: 'dr-patel' });
      // 08:00 now + 60 min lead: the 08:30 slot is gone, 09:00 EST is first.
      expect(open[0]).toMatchObject({ providerId: 'dr-patel', startsAt: '2030-03-04T14:00:00.000Z', when: 'Monday, March 4 at 9:00 AM', location: 'Downtown Clinic' });
      expect(open.map((s) => s.startsAt).slice(0, 3)).toEqual(['2030-03-04T14:00:00.000Z', '2030-03-04T14:30:00.000Z', '2030-03-04T15:00:00.000Z']);
    });

    it('keeps local times across the daylight-saving change', async () => {
      const open = await slots({ providerId: 'dr-patel', fromDate: '2030-03-11', days: 1 });
      // Monday 11 March is EDT (UTC-4): 08:30 local is 12:30Z.
      expect(open[0]).toMatchObject({ startsAt: '2030-03-11T12:30:00.000Z', when: 'Monday, March 11 at 8:30 AM' });
    });

    it('understands "today", "tomorrow" and weekday names in the clinic time zone', async () => {
      const [tomorrow] = await slots({ providerId: 'dr-patel', fromDate: 'tomorrow', days: 1 });
      expect(tomorrow!.when).toMatch(/^Tuesday, March 5/);
      // A weekday name is always ahead: on a Monday, "monday" is next week's.
      const [monday] = await slots({ providerId: 'dr-patel', fromDate: 'Monday', days: 1 });
      expect(monday!.when).toMatch(/^Monday, March 11/);
      const [today] = await slots({ providerId: 'dr-patel', fromDate: 'today', days: 1 });
      expect(today!.when).toMatch(/^Monday, March 4/);
      expect((await runTool(tool('hc_provider_availability'), { providerId: 'dr-patel', fromDate: 'someday' }, newCall())).status).toBe('invalid_arguments');
    });

    it('searches a specialty across providers, by part of day', async () => {
      const open = await slots({ specialty: 'Pediatrics', fromDate: '2030-03-05', days: 1, partOfDay: 'afternoon' });
      expect(open.length).toBeGreaterThan(0);
      for (const s of open) {
        expect(s.providerId).toBe('dr-okafor');
        expect(s.when).toMatch(/ PM$/);
      }
    });

    it('skips closures, time off and booked times', async () => {
      await t.exec(`INSERT INTO clinic_closures (location_id, closed_on, reason) VALUES (NULL, DATE '2030-03-05', 'Test closure')`);
      expect(await slots({ providerId: 'dr-rossi', fromDate: '2030-03-05', days: 1 })).toEqual([]);
      await t.exec(`INSERT INTO provider_time_off (provider_id, starts_at, ends_at, reason)
                    VALUES ('dr-rossi', '2030-03-07T14:00:00Z', '2030-03-07T16:00:00Z', 'conference')`);
      const thursday = await slots({ providerId: 'dr-rossi', fromDate: '2030-03-07', days: 1 });
      expect(thursday[0]!.startsAt).toBe('2030-03-07T16:00:00.000Z');
    });

    it('refuses a search with neither provider nor specialty, an unknown provider, or a date past the horizon', async () => {
      expect((await runTool(tool('hc_provider_availability'), {}, newCall())).errorCode).toBe('MISSING_ARGUMENT');
      expect((await runTool(tool('hc_provider_availability'), { providerId: 'dr-who' }, newCall())).errorCode).toBe('UNKNOWN_PROVIDER');
      expect((await runTool(tool('hc_provider_availability'), { specialty: 'dermatology', fromDate: '2031-01-01' }, newCall())).errorCode).toBe('OUTSIDE_BOOKING_WINDOW');
      expect((await runTool(tool('hc_provider_availability'), { specialty: 'dermatology', fromDate: '2030-02-30' }, newCall())).status).toBe('invalid_arguments');
    });
  });

  describe('hc_book_appointment', () => {
    it('books an open slot and removes it from availability', async () => {
      const { call, patientId } = await maria();
      const [first] = await slots({ providerId: 'np-kim', fromDate: '2030-03-06', days: 1 });
      const res = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'np-kim', startsAt: first!.startsAt, reason: 'sore throat' }, call);
      expect(res.status).toBe('ok');
      expect(res.result).toMatchObject({ when: 'Wednesday, March 6 at 9:00 AM', provider: 'Grace Kim', location: 'Downtown Clinic' });
      const after = await slots({ providerId: 'np-kim', fromDate: '2030-03-06', days: 1 });
      expect(after[0]!.startsAt).not.toBe(first!.startsAt);
    });

    it('books by day and time as the caller says them, and a repeated confirmation returns the same appointment', async () => {
      const { call, patientId } = await verifiedCall('Robert', 'Chen', '1958-01-30');
      const first = await runTool<Appointment & { alreadyBooked: boolean }>(
        tool('hc_book_appointment'), { patientId, providerId: 'dr-levine', date: 'wednesday', time: '1:30 pm', reason: 'follow-up visit' }, call,
      );
      expect(first.result).toMatchObject({ when: 'Wednesday, March 6 at 1:30 PM', startsAt: '2030-03-06T18:30:00.000Z', alreadyBooked: false });
      const again = await runTool<Appointment & { alreadyBooked: boolean }>(
        tool('hc_book_appointment'), { patientId, providerId: 'dr-levine', date: '2030-03-06', time: '13:30', reason: 'follow-up visit' }, call,
      );
      expect(again.result).toMatchObject({ appointmentId: first.result.appointmentId, alreadyBooked: true });
      const missing = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-levine', date: 'wednesday', reason: 'follow-up visit' }, call);
      expect(missing.errorCode).toBe('MISSING_ARGUMENT');
      expect((await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-levine', date: 'wednesday', time: '25:00', reason: 'x-ray review' }, call)).status)
        .toBe('invalid_arguments');
    });

    it('refuses a taken slot for another patient', async () => {
      const a = await maria();
      const [slot] = await slots({ providerId: 'dr-patel', fromDate: '2030-03-07', days: 1 });
      expect((await runTool(tool('hc_book_appointment'), { patientId: a.patientId, providerId: 'dr-patel', startsAt: slot!.startsAt, reason: 'checkup' }, a.call)).status).toBe('ok');
      const b = await emily();
      const taken = await runTool(tool('hc_book_appointment'), { patientId: b.patientId, providerId: 'dr-patel', startsAt: slot!.startsAt, reason: 'checkup' }, b.call);
      expect(taken.errorCode).toBe('SLOT_TAKEN');
    });

    it('refuses a time that is not a slot, a past time, and a provider not taking new patients', async () => {
      const { call, patientId } = await emily();
      const offGrid = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-patel', startsAt: '2030-03-07T14:10:00Z', reason: 'checkup' }, call);
      expect(offGrid.errorCode).toBe('SLOT_UNAVAILABLE');
      const sunday = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-patel', startsAt: '2030-03-10T14:00:00Z', reason: 'checkup' }, call);
      expect(sunday.errorCode).toBe('SLOT_UNAVAILABLE');
      const past = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-patel', startsAt: '2030-03-01T14:00:00Z', reason: 'checkup' }, call);
      expect(past.errorCode).toBe('TIME_IN_PAST');
      const [nguyen] = await slots({ providerId: 'dr-nguyen' });
      const closed = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-nguyen', startsAt: nguyen!.startsAt, reason: 'checkup' }, call);
      expect(closed.errorCode).toBe('PROVIDER_NOT_ACCEPTING');
    });

    it('lets an established patient book a provider closed to new patients', async () => {
      const { call, patientId } = await verifiedCall('James', 'Whitaker', '1972-11-03');
      const [slot] = await slots({ providerId: 'dr-nguyen', fromDate: '2030-03-08', days: 1 });
      const res = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-nguyen', startsAt: slot!.startsAt, reason: 'diabetes follow-up' }, call);
      expect(res.status).toBe('ok');
    });

    it('refuses to double-book the patient with two providers at once', async () => {
      const { call, patientId } = await maria();
      const at = '2030-03-12T14:00:00.000Z'; // Tuesday 10:00 EDT: dr-patel and dr-rossi both work
      expect((await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-patel', startsAt: at, reason: 'physical' }, call)).status).toBe('ok');
      const clash = await runTool(tool('hc_book_appointment'), { patientId, providerId: 'dr-rossi', startsAt: at, reason: 'mole check' }, call);
      expect(clash.errorCode).toBe('PATIENT_DOUBLE_BOOKED');
    });

    it('refuses an unverified caller', async () => {
      const res = await runTool(tool('hc_book_appointment'), { patientId: 1001, providerId: 'dr-patel', startsAt: '2030-03-07T20:00:00Z', reason: 'checkup' }, newCall());
      expect(res.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });

    it('is backed by the database: an overlapping insert is rejected by the exclusion constraint', async () => {
      await t.exec(`INSERT INTO appointments (patient_id, provider_id, location_id, starts_at, ends_at, reason)
                    VALUES (1003, 'dr-levine', 'downtown', '2030-03-13T14:00:00Z', '2030-03-13T14:45:00Z', 'x')`);
      await expect(t.exec(`INSERT INTO appointments (patient_id, provider_id, location_id, starts_at, ends_at, reason)
                           VALUES (1002, 'dr-levine', 'downtown', '2030-03-13T14:30:00Z', '2030-03-13T15:15:00Z', 'y')`))
        .rejects.toMatchObject({ code: '23P01' });
      // Cancelled appointments do not block the time.
      await t.exec(`UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE provider_id = 'dr-levine' AND starts_at = '2030-03-13T14:00:00Z'`);
      await t.exec(`INSERT INTO appointments (patient_id, provider_id, location_id, starts_at, ends_at, reason)
                    VALUES (1002, 'dr-levine', 'downtown', '2030-03-13T14:30:00Z', '2030-03-13T15:15:00Z', 'y')`);
    });
  });

  describe('hc_reschedule_appointment', () => {
    it('moves an appointment to another open slot of the same provider', async () => {
      const { call, patientId } = await maria();
      const open = await slots({ providerId: 'dr-rossi', fromDate: '2030-03-14', days: 1 });
      const booked = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'dr-rossi', startsAt: open[0]!.startsAt, reason: 'rash' }, call);
      const moved = await runTool<Appointment & { previousWhen: string }>(
        tool('hc_reschedule_appointment'), { patientId, appointmentId: booked.result.appointmentId, newStartsAt: open[2]!.startsAt }, call,
      );
      expect(moved.result).toMatchObject({ appointmentId: booked.result.appointmentId, startsAt: open[2]!.startsAt, previousWhen: booked.result.when });
      // The old time is free again.
      const again = await slots({ providerId: 'dr-rossi', fromDate: '2030-03-14', days: 1 });
      expect(again[0]!.startsAt).toBe(open[0]!.startsAt);
    });

    it('finds the appointment by its current day and time, and takes the new time the same way', async () => {
      const { call, patientId } = await maria();
      const booked = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'np-kim', date: 'friday', time: '9:00', reason: 'flu shot' }, call);
      expect(booked.status).toBe('ok');
      const moved = await runTool<Appointment>(tool('hc_reschedule_appointment'), {
        patientId, currentDate: 'friday', currentTime: '9:00 am', newDate: 'friday', newTime: '11:00 am',
      }, call);
      expect(moved.result).toMatchObject({ appointmentId: booked.result.appointmentId, when: 'Friday, March 8 at 11:00 AM' });
      const wrong = await runTool(tool('hc_cancel_appointment'), { patientId, date: 'friday', time: '9:00' }, call);
      expect(wrong.errorCode).toBe('APPOINTMENT_NOT_FOUND');
      const cancelled = await runTool(tool('hc_cancel_appointment'), { patientId, date: 'friday', time: '11:00' }, call);
      expect(cancelled.result).toMatchObject({ cancelled: true, appointmentId: booked.result.appointmentId, lateCancellation: false });
      expect((await runTool(tool('hc_cancel_appointment'), { patientId }, call)).errorCode).toBe('MISSING_ARGUMENT');
    });

    it("refuses a taken time, someone else's appointment and a cancelled one", async () => {
      const a = await maria();
      const open = await slots({ providerId: 'dr-okafor', fromDate: '2030-03-19', days: 1 });
      const mine = await runTool<Appointment>(tool('hc_book_appointment'), { patientId: a.patientId, providerId: 'dr-okafor', startsAt: open[0]!.startsAt, reason: 'follow-up visit' }, a.call);
      const b = await verifiedCall('Aisha', 'Rahman', '2016-06-21');
      const theirs = await runTool<Appointment>(tool('hc_book_appointment'), { patientId: b.patientId, providerId: 'dr-okafor', startsAt: open[1]!.startsAt, reason: 'well child' }, b.call);
      const taken = await runTool(tool('hc_reschedule_appointment'), { patientId: a.patientId, appointmentId: mine.result.appointmentId, newStartsAt: open[1]!.startsAt }, a.call);
      expect(taken.errorCode).toBe('SLOT_TAKEN');
      const notMine = await runTool(tool('hc_reschedule_appointment'), { patientId: a.patientId, appointmentId: theirs.result.appointmentId, newStartsAt: open[3]!.startsAt }, a.call);
      expect(notMine.errorCode).toBe('APPOINTMENT_NOT_FOUND');
      await runTool(tool('hc_cancel_appointment'), { patientId: a.patientId, appointmentId: mine.result.appointmentId }, a.call);
      const cancelled = await runTool(tool('hc_reschedule_appointment'), { patientId: a.patientId, appointmentId: mine.result.appointmentId, newStartsAt: open[3]!.startsAt }, a.call);
      expect(cancelled.errorCode).toBe('APPOINTMENT_NOT_ACTIVE');
    });

    it('refuses an unverified caller', async () => {
      const res = await runTool(tool('hc_reschedule_appointment'), { patientId: 1001, appointmentId: 1001, newStartsAt: '2030-03-07T20:00:00Z' }, newCall());
      expect(res.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('hc_cancel_appointment', () => {
    it('cancels, flags a late cancellation with the policy, and frees the slot', async () => {
      const { call, patientId } = await maria();
      const [soon] = await slots({ providerId: 'dr-patel', fromDate: '2030-03-04', days: 1, partOfDay: 'afternoon' });
      const booked = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'dr-patel', startsAt: soon!.startsAt, reason: 'follow-up visit' }, call);
      const res = await runTool<{ cancelled: boolean; lateCancellation: boolean; policy: string }>(
        tool('hc_cancel_appointment'), { patientId, appointmentId: booked.result.appointmentId, reason: 'feeling better' }, call,
      );
      expect(res.result).toMatchObject({ cancelled: true, lateCancellation: true });
      expect(res.result.policy).toMatch(/late-cancellation fee/);
      const [again] = await slots({ providerId: 'dr-patel', fromDate: '2030-03-04', days: 1, partOfDay: 'afternoon' });
      expect(again!.startsAt).toBe(soon!.startsAt);
      const twice = await runTool(tool('hc_cancel_appointment'), { patientId, appointmentId: booked.result.appointmentId }, call);
      expect(twice.errorCode).toBe('APPOINTMENT_NOT_ACTIVE');
    });

    it('refuses a past appointment and an unverified caller', async () => {
      const { call, patientId } = await maria();
      await t.exec(`INSERT INTO appointments (id, patient_id, provider_id, location_id, starts_at, ends_at, reason)
                    VALUES (4001, 1001, 'dr-patel', 'downtown', '2030-03-01T14:00:00Z', '2030-03-01T14:30:00Z', 'past visit')`);
      expect((await runTool(tool('hc_cancel_appointment'), { patientId, appointmentId: 4001 }, call)).errorCode).toBe('APPOINTMENT_IN_PAST');
      expect((await runTool(tool('hc_cancel_appointment'), { patientId: 1001, appointmentId: 4001 }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('hc_send_appointment_reminder', () => {
    async function bookedFor(call: TestCall, patientId: number): Promise<Appointment> {
      const [slot] = await slots({ providerId: 'np-kim', fromDate: '2030-03-15', days: 1 });
      const res = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'np-kim', startsAt: slot!.startsAt, reason: 'follow-up' }, call);
      expect(res.status).toBe('ok');
      return res.result;
    }

    it('texts the number on file through the SMS service and records the provider id', async () => {
      const { call, patientId } = await maria();
      const appt = await bookedFor(call, patientId);
      const res = await runTool<{ sent: boolean; to: string }>(tool('hc_send_appointment_reminder'), { patientId, appointmentId: appt.appointmentId }, call);
      expect(res.result).toEqual({ sent: true, to: 'ending in 2201', when: appt.when });
      expect(call.sms.sent).toHaveLength(1);
      expect(call.sms.sent[0]!.to).toBe('+15550142201');
      expect(call.sms.sent[0]!.body).toContain(`Grace Kim on ${appt.when}`);
      expect(call.sms.sent[0]!.body).not.toContain('follow-up');
      const { rows } = await t.db.query('SELECT provider_message_id FROM sms_reminders WHERE appointment_id = $1', [appt.appointmentId]);
      expect(rows).toEqual([{ provider_message_id: call.sms.sent[0]!.id }]);
      const again = await runTool(tool('hc_send_appointment_reminder'), { patientId, appointmentId: appt.appointmentId }, call);
      expect(again.errorCode).toBe('REMINDER_ALREADY_SENT');
      expect(call.sms.sent).toHaveLength(1);
    });

    it('without an appointment id, texts about the next upcoming appointment', async () => {
      const call = newCall();
      const registered = await runTool<{ patientId: number }>(tool('hc_register_patient'), {
        firstName: 'Noor', lastName: 'Aziz', dateOfBirth: '2001-12-09', phone: '+15550143321',
      }, call);
      const patientId = registered.result.patientId;
      const none = await runTool(tool('hc_send_appointment_reminder'), { patientId }, call);
      expect(none.errorCode).toBe('NO_UPCOMING_APPOINTMENT');
      const booked = await runTool<Appointment>(tool('hc_book_appointment'), { patientId, providerId: 'np-kim', date: 'wednesday', time: '15:00', reason: 'ear ache' }, call);
      const res = await runTool<{ when: string }>(tool('hc_send_appointment_reminder'), { patientId }, call);
      expect(res.result.when).toBe(booked.result.when);
    });

    it('refuses without an SMS service, without a phone on file, and for an unverified caller', async () => {
      const noSms = await maria({ sms: false });
      const [slot] = await slots({ providerId: 'dr-rossi', fromDate: '2030-03-19', days: 1 });
      const appt = await runTool<Appointment>(tool('hc_book_appointment'), { patientId: noSms.patientId, providerId: 'dr-rossi', startsAt: slot!.startsAt, reason: 'follow-up visit' }, noSms.call);
      expect((await runTool(tool('hc_send_appointment_reminder'), { patientId: noSms.patientId, appointmentId: appt.result.appointmentId }, noSms.call)).errorCode)
        .toBe('SMS_UNAVAILABLE');
      const daniel = await verifiedCall('Daniel', 'Brooks', '1968-07-04');
      const [d] = await slots({ providerId: 'dr-patel', fromDate: '2030-03-19', days: 1 });
      const dAppt = await runTool<Appointment>(tool('hc_book_appointment'), { patientId: daniel.patientId, providerId: 'dr-patel', startsAt: d!.startsAt, reason: 'follow-up visit' }, daniel.call);
      expect((await runTool(tool('hc_send_appointment_reminder'), { patientId: daniel.patientId, appointmentId: dAppt.result.appointmentId }, daniel.call)).errorCode)
        .toBe('NO_PHONE_ON_FILE');
      expect((await runTool(tool('hc_send_appointment_reminder'), { patientId: 1001, appointmentId: appt.result.appointmentId }, newCall())).errorCode)
        .toBe('IDENTITY_NOT_VERIFIED');
    });
  });
});
