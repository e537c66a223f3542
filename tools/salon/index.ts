import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { salonBookAppointment, salonCancelAppointment, salonFindAppointment, salonRescheduleAppointment } from './appointments.js';
import { salonCheckAvailability } from './availability.js';
import { salonGetBusinessInfo, salonListServices, salonListStylists } from './catalog.js';

export {
  salonBookAppointment, salonCancelAppointment, salonFindAppointment, salonRescheduleAppointment,
  salonCheckAvailability, salonGetBusinessInfo, salonListServices, salonListStylists,
};

/** Every salon tool, for the registry. */
export const salonTools: AnyToolDefinition[] = [
  salonGetBusinessInfo, salonListServices, salonListStylists, salonCheckAvailability,
  salonBookAppointment, salonFindAppointment, salonRescheduleAppointment, salonCancelAppointment,
];
