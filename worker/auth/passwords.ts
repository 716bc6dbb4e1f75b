import { base64url } from "jose";

/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto: the only KDF Workers provide natively.
 * 100 000 iterations is workerd's ceiling (it refuses more), so we cannot go higher here.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const PREFIX = "pbkdf2-sha256";
const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

/** Returns `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `${PREFIX}$${PBKDF2_ITERATIONS}$${base64url.encode(salt)}$${base64url.encode(hash)}`;
}

/** Compares without an early exit, so the time taken does not reveal how many leading bytes matched. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

/** False for a wrong password and for a stored value we cannot parse (never throws on bad data). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== PREFIX) return false;
  const iterations = Number(parts[1]);
  // Out-of-range counts would make workerd throw (or burn CPU); treat them as a non-match.
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  let salt: Uint8Array;
  let expected: Uint8Array;
  try {
    salt = base64url.decode(parts[2]!);
    expected = base64url.decode(parts[3]!);
  } catch {
    return false;
  }
  if (salt.length === 0 || expected.length * 8 !== HASH_BITS) return false;
  return constantTimeEqual(await derive(password, salt, iterations), expected);
}

// A well-formed hash nobody's password produces (all-zero salt and digest): checking against it costs
// exactly one PBKDF2 run, with no first-call hashing that would itself be measurable.
const DUMMY_HASH = `${PREFIX}$${PBKDF2_ITERATIONS}$${"A".repeat(22)}$${"A".repeat(43)}`;

/**
 * Spends the same PBKDF2 work as a real check when there is no user (or no password) to check, so
 * response time does not tell a caller which emails have accounts. Always resolves to false.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}
