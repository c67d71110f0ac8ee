/** Durable storage: the execution journal (SQLite, WAL). */
export * from './sqlite-journal.js';
export * from './journal-session.js';
