import { salesTools } from '../../../../tools/sales/index.js';
import { describeScenarioSuite } from '../scenarioCoverage.js';

describeScenarioSuite('sales', salesTools);
