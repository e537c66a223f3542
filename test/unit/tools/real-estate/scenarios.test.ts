import { realEstateTools } from '../../../../tools/real-estate/index.js';
import { describeScenarioSuite } from '../scenarioCoverage.js';

describeScenarioSuite('real-estate', realEstateTools);
