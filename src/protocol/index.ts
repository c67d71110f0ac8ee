/** The protocol layer: message schemas, topics and validators. No dependencies. */
export * from './fields.js';
export * from './messages.js';
export * from './topics.js';
export * from './validate.js';
export * from './construct.js';
