import { afterHoursTools } from '../../../../tools/after-hours/index.js';
import { describeScenarioSuite } from '../scenarioCoverage.js';

describeScenarioSuite('after-hours', afterHoursTools);
