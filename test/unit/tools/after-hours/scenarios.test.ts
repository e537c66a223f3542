import { afterHoursTools } from '../../../../tools/after-hours/index.js';
import { describeScenarioSuite } from '../real-estate/scenarioCoverage.js';

describeScenarioSuite('after-hours', afterHoursTools);
