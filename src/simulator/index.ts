/** The call simulator: places calls against a gateway exactly as Twilio would. */
export { simulateCall, type SimulateCallOptions, type SimulatedCall, type TimelineEvent } from './call.js';
export { SimulatedPhone, FRAME_MS, FRAME_BYTES } from './phone.js';
export { readTwimlAnswer, type TwimlAnswer } from '../telephony/index.js';
export { checkScenario, observedFromRecord, type Check } from './expectations.js';
export { runScenarios, gatewayVerticals, type ScenarioRun, type RunScenariosOptions, type GatewayVertical } from './run.js';
export { formatTimelineEvent, formatStoredCall, formatChecks, formatCallSummary } from './report.js';
