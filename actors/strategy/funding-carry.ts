/**
 * Cross-venue funding carry (issue 8, strategy 1). The decisions live in
 * src/trading/strategy/funding-carry.ts (economics in carry-economics.ts, the position life cycle
 * in carry-flow.ts); this module only wires them to the actor contract.
 *
 * Config: `{ "id": "carry", "module": "actors/strategy/funding-carry.ts", "params": { "venues": ["binanceusdm", "bybit", "okx"] } }`
 */
import { fundingCarryEngine } from '../../src/trading/strategy/funding-carry.js';
import { strategyActor } from './lib/strategy-actor.js';

export default strategyActor(fundingCarryEngine);
