/** The healthcare clinic front desk's 14 tools (all named `hc_*`). */
import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { hcRequestRefill, hcLeaveProviderMessage } from './care.js';
import { hcClinicInfo, hcTransferToHuman, hcTriageSymptoms } from './clinic.js';
import { hcCheckInsurance, hcLookupPatient, hcRegisterPatient, hcVerifyIdentity } from './patients.js';
import {
  hcBookAppointment, hcCancelAppointment, hcProviderAvailability, hcRescheduleAppointment, hcSendAppointmentReminder,
} from './scheduling.js';

export { triageSymptoms } from './triage.js';
export type { TriageResult, Urgency } from './triage.js';

export const healthcareTools: readonly AnyToolDefinition[] = [
  hcClinicInfo,
  hcVerifyIdentity,
  hcLookupPatient,
  hcRegisterPatient,
  hcProviderAvailability,
  hcBookAppointment,
  hcRescheduleAppointment,
  hcCancelAppointment,
  hcCheckInsurance,
  hcRequestRefill,
  hcSendAppointmentReminder,
  hcTriageSymptoms,
  hcLeaveProviderMessage,
  hcTransferToHuman,
] as unknown as readonly AnyToolDefinition[];
