export { startFleetInstance, generateInstanceId, LOST_REASON, type FleetInstance, type FleetInstanceOptions, type ReloadTarget } from './instance.js';
export { createReloadCollector, type FleetReloadReport, type InstanceReloadOutcome, type ReloadCollector } from './reload.js';
