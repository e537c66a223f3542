/**
 * `npm run worker`: the post-call analysis worker, the same as `switchboard worker` (BullMQ on
 * REDIS_URL, calls from DATABASE_URL). Extra arguments pass through: `npm run worker -- --concurrency 8`.
 */
import { main } from '../cli/index.js';

process.exitCode = await main([process.argv[0] ?? 'node', 'switchboard', 'worker', ...process.argv.slice(2)]);
