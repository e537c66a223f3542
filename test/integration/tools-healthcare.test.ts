/**
 * Healthcare tools against real Postgres: clinic facts, triage, transfers, identity, patient
 * records, registration, insurance, refills and provider messages, including every refusal.
 */
import { healthcareTools } from '../../tools/healthcare/index.js';
import {
  openVerticalDb, pgliteTarget, postgresTarget, runTool, testCall, toolFrom, type StoreTarget, type TestCall, type VerticalTestDb,
} from './tools-healthcare.helpers.js';

// Starting embedded PGlite takes many seconds on a loaded machine.
const SETUP_TIMEOUT_MS = 120_000;

const tool = toolFrom(healthcareTools);

// Monday 4 March 2030, 08:00 in the clinic (EST).
const NOW = new Date('2030-03-04T13:00:00Z');

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('healthcare tools on $name', (target) => {
  let t: VerticalTestDb;

  beforeAll(async () => {
    t = await openVerticalDb('healthcare', target);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await t.close();
  });

  const newCall = (options?: { sms?: boolean; call?: boolean }): TestCall => testCall(t.db, 'healthcare', NOW, options);

  async function verifiedCall(first = 'Maria', last = 'Garcia', dob = '1985-04-12'): Promise<{ call: TestCall; patientId: number }> {
    const call = newCall();
    const res = await runTool<{ verified: boolean; patientId: number }>(tool('hc_verify_identity'), { firstName: first, lastName: last, dateOfBirth: dob }, call);
    expect(res.result.verified).toBe(true);
    return { call, patientId: res.result.patientId };
  }

  describe('the healthcare family', () => {
    it('has exactly 14 tools, all named hc_*', () => {
      expect(healthcareTools).toHaveLength(14);
      expect(new Set(healthcareTools.map((d) => d.name)).size).toBe(14);
      for (const d of healthcareTools) expect(d.name).toMatch(/^hc_[a-z_]+$/);
    });
  });

  describe('hc_clinic_info', () => {
    it('reads hours, locations, providers and policies from the database', async () => {
      const res = await runTool<{
        today: { date: string; spoken: string }; locations: { id: string; openNow: boolean; hours: { day: string; hours: string }[] }[];
        providers: { providerId: string; acceptingNewPatients: boolean }[]; policies: { cancellation: string };
      }>(tool('hc_clinic_info'), {}, newCall());
      expect(res.status).toBe('ok');
      expect(res.result.today.date).toBe('2030-03-04');
      expect(res.result.today.spoken).toBe('Monday, March 4, 2030');
      const downtown = res.result.locations.find((l) => l.id === 'downtown')!;
      expect(downtown.openNow).toBe(true);
      expect(downtown.hours).toContainEqual({ day: 'Saturday', hours: '9:00 AM to 1:00 PM' });
      expect(downtown.hours).toContainEqual({ day: 'Sunday', hours: 'closed' });
      expect(res.result.providers.find((p) => p.providerId === 'dr-nguyen')?.acceptingNewPatients).toBe(false);
      expect(res.result.policies.cancellation).toMatch(/24 hours/);
    });

    it('lists a closure and says a location is closed on it', async () => {
      await t.exec(`INSERT INTO clinic_closures (location_id, closed_on, reason) VALUES ('northside', DATE '2030-03-04', 'Staff training')`);
      const res = await runTool<{ locations: { id: string; openNow: boolean }[]; upcomingClosures: { location: string; reason: string }[] }>(
        tool('hc_clinic_info'), { locationId: 'northside' }, newCall(),
      );
      expect(res.result.locations).toHaveLength(1);
      expect(res.result.locations[0]!.openNow).toBe(false);
      expect(res.result.upcomingClosures).toContainEqual(expect.objectContaining({ location: 'Northside Clinic', reason: 'Staff training' }));
      await t.exec(`DELETE FROM clinic_closures WHERE reason = 'Staff training'`);
    });

    it('refuses an unknown location', async () => {
      const res = await runTool(tool('hc_clinic_info'), { locationId: 'uptown' }, newCall());
      expect(res.errorCode).toBe('UNKNOWN_LOCATION');
    });
  });

  describe('hc_triage_symptoms', () => {
    it('tells an emergency to hang up and call 911, and locks every other action on the call', async () => {
      const call = newCall();
      const res = await runTool<{ urgency: string; instruction: string; nextStep: string }>(
        tool('hc_triage_symptoms'), { symptoms: 'my dad has crushing chest pain and is sweating' }, call,
      );
      expect(res.result.urgency).toBe('emergency');
      expect(res.result.instruction).toMatch(/hang up now and call 911/);
      expect(res.result.nextStep).toBe('call_emergency_services');
      const verify = await runTool(tool('hc_verify_identity'), { firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '1985-04-12' }, call);
      expect(verify.errorCode).toBe('EMERGENCY_DIRECTED');
      const transfer = await runTool(tool('hc_transfer_to_human'), { department: 'front_desk', reason: 'caller wants a person' }, call);
      expect(transfer.errorCode).toBe('EMERGENCY_DIRECTED');
      expect(call.call.transfers).toHaveLength(0);
      const { rows } = await t.db.query(`SELECT urgency, matched FROM triage_events WHERE call_id = $1`, [call.callId]);
      expect(rows).toEqual([{ urgency: 'emergency', matched: 'chest pain or pressure' }]);
    });

    it('adds the crisis line for thoughts of self-harm', async () => {
      const res = await runTool<{ instruction: string }>(tool('hc_triage_symptoms'), { symptoms: "I've been having thoughts of suicide" }, newCall());
      expect(res.result.instruction).toMatch(/988/);
    });

    it('rates a high fever urgent and a rash routine, leaving the call free to book', async () => {
      const call = newCall();
      const urgent = await runTool<{ urgency: string }>(tool('hc_triage_symptoms'), { symptoms: 'fever of 103 since last night' }, call);
      expect(urgent.result.urgency).toBe('urgent');
      const routine = await runTool<{ urgency: string }>(tool('hc_triage_symptoms'), { symptoms: 'a mild itchy rash on my arm for a week, no chest pain' }, call);
      expect(routine.result.urgency).toBe('routine');
      const info = await runTool(tool('hc_clinic_info'), {}, call);
      expect(info.status).toBe('ok');
    });

    it('refuses empty symptoms', async () => {
      const res = await runTool(tool('hc_triage_symptoms'), { symptoms: '' }, newCall());
      expect(res.status).toBe('invalid_arguments');
    });
  });

  describe('hc_transfer_to_human', () => {
    it('transfers to the department number from the database and records it', async () => {
      const call = newCall();
      const res = await runTool(tool('hc_transfer_to_human'), { department: 'billing', reason: 'question about a bill' }, call);
      expect(res.result).toEqual({ transferred: true, department: 'Billing office' });
      expect(call.call.transfers).toEqual([expect.objectContaining({ to: '+15550100203', reason: 'question about a bill' })]);
      const { rows } = await t.db.query('SELECT department_id FROM transfers WHERE call_id = $1', [call.callId]);
      expect(rows).toEqual([{ department_id: 'billing' }]);
    });

    it('refuses an unknown department and names the real ones', async () => {
      const res = await runTool<{ message: string }>(tool('hc_transfer_to_human'), { department: 'radiology', reason: 'x-ray results' }, newCall());
      expect(res.errorCode).toBe('UNKNOWN_DEPARTMENT');
      expect(res.result.message).toMatch(/front_desk/);
    });

    it('refuses when the call cannot be transferred', async () => {
      const res = await runTool(tool('hc_transfer_to_human'), { department: 'front_desk', reason: 'wants a person' }, newCall({ call: false }));
      expect(res.errorCode).toBe('TRANSFER_UNAVAILABLE');
    });
  });

  describe('hc_verify_identity', () => {
    it('verifies on name and date of birth, case-insensitively, and records it for this call only', async () => {
      const call = newCall();
      const res = await runTool<{ verified: boolean; patientId: number }>(
        tool('hc_verify_identity'), { firstName: 'maria', lastName: 'GARCIA', dateOfBirth: '1985-04-12' }, call,
      );
      expect(res.result).toMatchObject({ verified: true, patientId: 1001 });
      const other = newCall();
      const lookup = await runTool(tool('hc_lookup_patient'), { patientId: 1001 }, other);
      expect(lookup.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });

    it('tells two patients with the same name apart by date of birth', async () => {
      const res = await runTool<{ patientId: number }>(tool('hc_verify_identity'), { firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '1992-02-02' }, newCall());
      expect(res.result.patientId).toBe(1007);
    });

    it('does not say which part failed, and locks after three misses', async () => {
      const call = newCall();
      const wrong = { firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '1985-04-13' };
      const first = await runTool(tool('hc_verify_identity'), wrong, call);
      expect(first.result).toEqual({ verified: false, attemptsRemaining: 2 });
      await runTool(tool('hc_verify_identity'), wrong, call);
      await runTool(tool('hc_verify_identity'), wrong, call);
      const locked = await runTool(tool('hc_verify_identity'), { firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '1985-04-12' }, call);
      expect(locked.errorCode).toBe('IDENTITY_LOCKED');
    });

    it('rejects an impossible date of birth before touching the database', async () => {
      const res = await runTool(tool('hc_verify_identity'), { firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '1985-02-30' }, newCall());
      expect(res.status).toBe('invalid_arguments');
    });
  });

  describe('hc_lookup_patient', () => {
    it("returns the verified patient's record with the phone masked", async () => {
      const { call, patientId } = await verifiedCall();
      const res = await runTool<{ name: string; phoneOnFile: string; insurance: string; activePrescriptions: { medication: string }[] }>(
        tool('hc_lookup_patient'), { patientId }, call,
      );
      expect(res.result.name).toBe('Maria Garcia');
      expect(res.result.phoneOnFile).toBe('ending in 2201');
      expect(res.result.insurance).toBe('Aetna Choice POS II / PPO');
      expect(res.result.activePrescriptions.map((r) => r.medication)).toEqual(['atorvastatin', 'lisinopril']);
      expect(res.output).not.toContain('+15550142201');
    });

    it('refuses a patient other than the one verified on the call', async () => {
      const { call } = await verifiedCall();
      const res = await runTool(tool('hc_lookup_patient'), { patientId: 1002 }, call);
      expect(res.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('hc_register_patient', () => {
    const newPatient = { firstName: 'Priya', lastName: 'Shah', dateOfBirth: '1994-08-19', phone: '+15550143310' };

    it('registers a new patient who is then verified for the call', async () => {
      const call = newCall();
      const res = await runTool<{ patientId: number; verified: boolean; insurance: string }>(
        tool('hc_register_patient'), { ...newPatient, insurancePlanId: 'cigna-open-access', insuranceMemberId: 'U7788123' }, call,
      );
      expect(res.status).toBe('ok');
      expect(res.result.patientId).toBeGreaterThanOrEqual(100000);
      expect(res.result.insurance).toBe('Cigna Open Access Plus');
      const lookup = await runTool(tool('hc_lookup_patient'), { patientId: res.result.patientId }, call);
      expect(lookup.status).toBe('ok');
    });

    it('refuses to register the same person twice, unless it is the same mobile number confirming again', async () => {
      const res = await runTool(tool('hc_register_patient'), { ...newPatient, firstName: 'PRIYA', phone: '+15550143399' }, newCall());
      expect(res.errorCode).toBe('PATIENT_ALREADY_REGISTERED');
      const call = newCall();
      const again = await runTool<{ patientId: number; alreadyRegistered: boolean; insurance: string }>(tool('hc_register_patient'), newPatient, call);
      expect(again.result).toMatchObject({ alreadyRegistered: true, insurance: 'Cigna Open Access Plus' });
      expect((await runTool(tool('hc_lookup_patient'), { patientId: again.result.patientId }, call)).status).toBe('ok');
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM patients WHERE lower(first_name) = 'priya'`);
      expect(rows[0]).toEqual({ n: 1 });
    });

    it('refuses a birth date in the future or an unknown plan', async () => {
      const future = await runTool(tool('hc_register_patient'), { ...newPatient, firstName: 'Baby', dateOfBirth: '2030-06-01' }, newCall());
      expect(future.errorCode).toBe('INVALID_DATE_OF_BIRTH');
      const plan = await runTool(tool('hc_register_patient'), { ...newPatient, firstName: 'Ravi', insurancePlanId: 'acme-gold' }, newCall());
      expect(plan.errorCode).toBe('UNKNOWN_INSURANCE_PLAN');
    });

    it('refuses a phone number that is not E.164', async () => {
      const res = await runTool(tool('hc_register_patient'), { ...newPatient, firstName: 'Anil', phone: '555-0143' }, newCall());
      expect(res.status).toBe('invalid_arguments');
    });
  });

  describe('hc_check_insurance', () => {
    it('checks the coverage on file of a verified patient', async () => {
      const { call, patientId } = await verifiedCall();
      const res = await runTool<{ eligible: boolean; plans: { primaryCareCopay: string; specialistCopay: string }[] }>(
        tool('hc_check_insurance'), { patientId }, call,
      );
      expect(res.result.eligible).toBe(true);
      expect(res.result.plans[0]).toMatchObject({ primaryCareCopay: '$25', specialistCopay: '$50' });
    });

    it('reports lapsed coverage and out-of-network plans as not eligible', async () => {
      const emily = await verifiedCall('Emily', 'Carter', '1990-09-15');
      const lapsed = await runTool<{ eligible: boolean; coverageActive: boolean }>(tool('hc_check_insurance'), { patientId: emily.patientId }, emily.call);
      expect(lapsed.result).toMatchObject({ eligible: false, coverageActive: false });
      const daniel = await verifiedCall('Daniel', 'Brooks', '1968-07-04');
      const humana = await runTool<{ eligible: boolean; explanation: string }>(tool('hc_check_insurance'), { patientId: daniel.patientId }, daniel.call);
      expect(humana.result.eligible).toBe(false);
      expect(humana.result.explanation).toMatch(/not accepted/);
    });

    it('answers "do you take Blue Cross?" without any identity', async () => {
      const res = await runTool<{ mode: string; plans: { payer: string; accepted: boolean }[] }>(tool('hc_check_insurance'), { payer: 'blue cross' }, newCall());
      expect(res.result.mode).toBe('plan_lookup');
      expect(res.result.plans).toEqual([expect.objectContaining({ payer: 'Blue Cross Blue Shield', accepted: true })]);
      const none = await runTool<{ plans: unknown[] }>(tool('hc_check_insurance'), { payer: 'Acme Health' }, newCall());
      expect(none.result.plans).toEqual([]);
    });

    it("refuses an unverified patient's coverage and a call with neither argument", async () => {
      const res = await runTool(tool('hc_check_insurance'), { patientId: 1001 }, newCall());
      expect(res.errorCode).toBe('IDENTITY_NOT_VERIFIED');
      const empty = await runTool(tool('hc_check_insurance'), {}, newCall());
      expect(empty.errorCode).toBe('MISSING_ARGUMENT');
    });
  });

  describe('hc_request_refill', () => {
    it('files a pending request for the pharmacy on file, once', async () => {
      const { call, patientId } = await verifiedCall();
      const res = await runTool<{ requestId: number; pharmacy: string; alreadyRequested: boolean; expectedWithinHours: number }>(
        tool('hc_request_refill'), { patientId, medication: 'Lisinopril' }, call,
      );
      expect(res.result).toMatchObject({ pharmacy: 'Springfield Pharmacy on Main Street', alreadyRequested: false, expectedWithinHours: 48 });
      const again = await runTool<{ requestId: number; alreadyRequested: boolean }>(tool('hc_request_refill'), { patientId, medication: 'lisinopril 10 mg' }, call);
      expect(again.result).toMatchObject({ requestId: res.result.requestId, alreadyRequested: true });
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM refill_requests WHERE patient_id = $1 AND status = 'pending'`, [patientId]);
      expect(rows[0]).toEqual({ n: 1 });
    });

    it('refuses no refills left, controlled substances and unknown medications', async () => {
      const maria = await verifiedCall();
      const none = await runTool(tool('hc_request_refill'), { patientId: maria.patientId, medication: 'atorvastatin' }, maria.call);
      expect(none.errorCode).toBe('NO_REFILLS_LEFT');
      const unknown = await runTool(tool('hc_request_refill'), { patientId: maria.patientId, medication: 'insulin' }, maria.call);
      expect(unknown.errorCode).toBe('PRESCRIPTION_NOT_FOUND');
      const robert = await verifiedCall('Robert', 'Chen', '1958-01-30');
      const controlled = await runTool(tool('hc_request_refill'), { patientId: robert.patientId, medication: 'alprazolam' }, robert.call);
      expect(controlled.errorCode).toBe('CONTROLLED_SUBSTANCE');
      const noPharmacy = await runTool(tool('hc_request_refill'), { patientId: robert.patientId, medication: 'warfarin' }, robert.call);
      expect(noPharmacy.errorCode).toBe('PHARMACY_NEEDED');
    });

    it('refuses an unverified caller', async () => {
      const res = await runTool(tool('hc_request_refill'), { patientId: 1002, medication: 'metformin' }, newCall());
      expect(res.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('hc_leave_provider_message', () => {
    const message = { providerId: 'dr-patel', callerName: 'Sam Lee', callbackNumber: '+15550149999', message: 'Question about lab results' };

    it('takes a message from anyone, without a patient attached', async () => {
      const call = newCall();
      const res = await runTool<{ messageId: number; provider: string; expectedCallbackWithinHours: number }>(tool('hc_leave_provider_message'), message, call);
      expect(res.result).toMatchObject({ provider: 'Dr. Anita Patel', expectedCallbackWithinHours: 24 });
      const { rows } = await t.db.query('SELECT patient_id, priority FROM provider_messages WHERE id = $1', [res.result.messageId]);
      expect(rows).toEqual([{ patient_id: null, priority: 'routine' }]);
    });

    it('attaches a verified patient, and refuses an unverified one', async () => {
      const { call, patientId } = await verifiedCall();
      const ok = await runTool<{ messageId: number }>(tool('hc_leave_provider_message'), { ...message, patientId, priority: 'soon' }, call);
      const { rows } = await t.db.query('SELECT patient_id::int AS patient_id, priority FROM provider_messages WHERE id = $1', [ok.result.messageId]);
      expect(rows).toEqual([{ patient_id: patientId, priority: 'soon' }]);
      const refused = await runTool(tool('hc_leave_provider_message'), { ...message, patientId: 1002 }, newCall());
      expect(refused.errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });

    it('refuses an unknown provider', async () => {
      const res = await runTool(tool('hc_leave_provider_message'), { ...message, providerId: 'dr-house' }, newCall());
      expect(res.errorCode).toBe('UNKNOWN_PROVIDER');
    });
  });
});
