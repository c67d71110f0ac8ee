/**
 * The environment for code that must not see credentials. A worker thread or child process gets
 * a copy of `process.env` unless told otherwise, and operators put exchange keys in the
 * environment, so every actor worker except the credentialed one (graph `credentials: true`) and
 * the simulator's child process get a copy with secret-looking variables removed.
 *
 * This keeps credentials out of code that has no business with them; it is not a sandbox
 * against hostile code in the same process (worker threads share the filesystem).
 */

/** Variable names that look like credentials. */
const SECRET_ENV_NAME = /(API_?KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|PRIVATE_?KEY|CREDENTIAL)/i;

export function publicEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !SECRET_ENV_NAME.test(name)) out[name] = value;
  }
  return out;
}
