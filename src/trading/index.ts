/**
 * The trading domain: pure logic the execution and strategy actors wire together. No I/O, no
 * timers, no threads; time comes in as an argument or an injected clock.
 */
export * from './symbols.js';
export * from './fees.js';
export * from './funding.js';
export * from './book.js';
export * from './costs.js';
export * from './positions.js';
export * from './inventory.js';
export * from './order-state.js';
export * from './client-order-id.js';
export * from './multi-leg.js';
export * from './multi-leg-net.js';
export * from './fill-model.js';
export * from './paper-funding.js';
export * from './risk/index.js';
export * from './venue-view.js';
export * from './lot-size.js';
export * from './reconcile.js';
export * from './execution-journal.js';
