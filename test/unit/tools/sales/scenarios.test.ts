import { salesTools } from '../../../../tools/sales/index.js';
import { describeScenarioSuite } from '../real-estate/scenarioCoverage.js';

describeScenarioSuite('sales', salesTools);
