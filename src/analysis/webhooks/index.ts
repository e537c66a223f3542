/** Post-call webhooks: the `webhooks` queue, its relay, the delivery processor and signatures. */
export * from './jobs.js';
export * from './signature.js';
export { createWebhookProcessor, webhookBody, urlHost, type WebhookDeliveryDeps, type WebhookProcessor } from './deliver.js';
export { WebhookRelay, jobsForEvent, type WebhookPublisher, type WebhookRelayOptions } from './relay.js';
export {
  openWebhookQueue, createWebhookBullmqPublisher, createWebhookBullmqWorker, listFailedWebhookJobs, toFailedWebhookJob,
  type WebhookQueueSettings, type WebhookWorkerOptions,
} from './bullmq.js';
export {
  startWebhookDelivery, buildWebhookProcessor,
  type WebhookDelivery, type WebhookDeliveryOptions, type WebhookStore, type WebhookTuning,
} from './start.js';
