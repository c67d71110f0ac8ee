/**
 * Cross-venue spot spread (issue 8, strategy 3). The decisions live in
 * src/trading/strategy/spot-spread.ts; this module only wires them to the actor contract.
 *
 * Config: `{ "id": "spread", "module": "actors/strategy/spot-spread.ts", "params": { "minSpreadBps": 5, "inventory": { "binance": { "BTC": 0.5, "USDT": 30000 } } } }`
 */
import { spotSpreadEngine } from '../../src/trading/strategy/spot-spread.js';
import { strategyActor } from './lib/strategy-actor.js';

export default strategyActor(spotSpreadEngine);
