// piscina task module. Piscina's threads start without tsx, so register it here (as the runtime's
// worker bootstrap does) before loading the TypeScript echo; msgpackr's native extractor stays off.
import { register } from 'tsx/esm/api';

process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
register();
const { echoTick } = await import('./echo.ts');

export default echoTick;
