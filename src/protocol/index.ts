/** The protocol layer: message schemas, topics, validators and the status shapes actors report. No dependencies. */
export * from './fields.js';
export * from './messages.js';
export * from './topics.js';
export * from './validate.js';
export * from './construct.js';
export * from './status.js';
