/**
 * What a secret typed into service.yaml looks like: a value with a known token shape, or a name that says
 * "secret" given a literal value. Only ever answers with a description, never with the value itself.
 */

// Shapes published by each issuer; the prefixes alone are distinctive enough where no length is given.
const TOKEN_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[sr]k_(live|test)_/, "a Stripe secret key"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/, "a GitHub token"],
  [/\bgithub_pat_/, "a GitHub token"],
  [/\bglpat-[A-Za-z0-9_-]{16,}/, "a GitLab token"],
  [/\bxox[abeprs]-[A-Za-z0-9-]{8,}/, "a Slack token"],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bAIza[0-9A-Za-z_-]{35}/, "a Google API key"],
  [/\bya29\.[0-9A-Za-z_-]{20,}/, "a Google OAuth access token"],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/, "a SendGrid API key"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\bpypi-[A-Za-z0-9_-]{40,}/, "a PyPI token"],
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, "a private key"],
  [/"private_key"\s*:/, "a service account key file"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
];

// scheme://user:password@host, unless the password is a placeholder such as ${DB_PASSWORD} or $DB_PASSWORD. The user
// may be empty: redis://:password@host is how Redis URLs carry a password.
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;

// Words of a variable name that mean "the value is a secret"; pairs are matched on adjacent words.
const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"]);
const SECRET_PAIRS = new Set(["API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "MASTER_KEY", "AUTH_KEY", "SECRET_KEY"]);
// A last word that makes the variable about the secret rather than the secret itself (TOKEN_URL, PASSWORD_MIN_LENGTH).
const ABOUT_WORDS = new Set([
  "URL", "URI", "ENDPOINT", "HOST", "PATH", "FILE", "DIR", "NAME", "ID", "TTL", "EXPIRY", "EXPIRES", "LENGTH", "LEN", "TIMEOUT",
  "HEADER", "TYPE", "ENABLED", "REQUIRED", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "FIELD", "PARAM", "VERSION", "PROJECT",
  "LIFETIME", "SECONDS", "MINUTES", "MAX", "MIN", "COUNT", "REF", "KIND", "MODE", "POLICY", "ROTATION", "PORT", "SIZE", "LIMIT",
  "RETRIES", "PREFIX", "ALGORITHM", "ALG", "LOCATION", "REGION", "BUCKET",
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/** True when a variable's name says it holds a secret (DB_PASSWORD, stripeSecretKey), not something about one. */
export function secretName(name: string): boolean {
  const w = words(name);
  if (w.length === 0 || ABOUT_WORDS.has(w[w.length - 1]!)) return false;
  return w.some((x, i) => SECRET_WORDS.has(x) || (i > 0 && SECRET_PAIRS.has(`${w[i - 1]}_${x}`)));
}

/** What the value looks like when it looks like a credential ("a Stripe secret key"), else undefined. */
export function secretShape(value: string): string | undefined {
  for (const [re, what] of TOKEN_SHAPES) if (re.test(value)) return what;
  const url = URL_WITH_PASSWORD.exec(value);
  if (url && !/^\$\{?[A-Za-z_]/.test(url[1]!)) return "a URL with a password in it";
  return undefined;
}

/** Why a literal `name: value` is a secret written in the clear, or undefined when it is not. */
export function literalSecret(name: string, value: string): string | undefined {
  const shape = secretShape(value);
  if (shape) return `the value looks like ${shape}`;
  if (value.trim() === "" || /^(true|false)$/i.test(value)) return undefined;
  return secretName(name) ? `the name says ${name} is a secret, and its value is written here` : undefined;
}
