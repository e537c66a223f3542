import { salonTools } from '../../../../tools/salon/index.js';
import { describeScenarioSuite } from '../scenarioCoverage.js';

describeScenarioSuite('salon', salonTools);
