import { salonTools } from '../../../../tools/salon/index.js';
import { describeScenarioSuite } from '../real-estate/scenarioCoverage.js';

describeScenarioSuite('salon', salonTools);
