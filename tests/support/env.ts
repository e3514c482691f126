// Where the integration tests find their services. Override with the env vars below.
export const PG_URL = process.env.IG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.IG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A short random suffix for per-run isolation (schemas, key prefixes). */
export function runSuffix(): string {
  return `${process.pid.toString(36)}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

/** Turns a connection failure into a loud, explained test failure (never a skip). */
export function serviceMissing(service: string, where: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `${service} is required by this test but is not reachable at ${where} (${reason}). ` +
      'Start it (see README: Quickstart) or set the IG_TEST_* env vars. Integration tests never skip.',
    { cause },
  );
}
