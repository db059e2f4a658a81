export { Queue, RateLimitingQueue } from './queue.js';
export type { RateLimitingQueueOptions } from './queue.js';
export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';
export type { RateLimiter, Now } from './rate-limiter.js';
