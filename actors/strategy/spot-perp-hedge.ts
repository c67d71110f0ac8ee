/**
 * Spot-perp funding hedge on one exchange (issue 8, strategy 2). The decisions live in
 * src/trading/strategy/spot-perp-hedge.ts (economics shared with the funding carry in
 * carry-economics.ts and carry-flow.ts); this module only wires them to the actor contract.
 *
 * Config: `{ "id": "hedge", "module": "actors/strategy/spot-perp-hedge.ts", "params": { "spotVenue": "bybit", "perpVenue": "bybit" } }`
 */
import { spotPerpHedgeEngine } from '../../src/trading/strategy/spot-perp-hedge.js';
import { strategyActor } from './lib/strategy-actor.js';

export default strategyActor(spotPerpHedgeEngine);
