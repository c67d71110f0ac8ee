/** Pre-trade risk: the engine, its config, and the parts it is built from. */
export * from './config.js';
export * from './engine.js';
export * from './order-checks.js';
export * from './exposure.js';
export * from './circuit-breaker.js';
export * from './rate-budget.js';
export * from './trading-state.js';
