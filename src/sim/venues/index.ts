/**
 * The venue registry. Adding a venue: write `src/sim/venues/<id>.ts` exporting a `VenueModule`
 * (see ../venue.ts), add it here, and add its tests under test/sim/.
 */
import type { VenueModule } from '../venue.js';
import { binanceSpot } from './binance-spot.js';
import { binanceUsdm } from './binance-usdm.js';
import { bybit } from './bybit.js';
import { okx } from './okx.js';

export const VENUE_MODULES: readonly VenueModule[] = [binanceSpot, binanceUsdm, bybit, okx];
