// What counts as a secret typed into service.yaml: every token shape at its shortest and one character short, and
// every word of a secret's name (and of a name that is only about a secret).
import { describe, expect, it } from "vitest";
import { literalSecret, secretName, secretShape } from "../../catalog/rules/secret-values";

const a = (n: number) => "a".repeat(n);
const A = (n: number) => "A".repeat(n);

describe("token shapes", () => {
  it.each([
    ["sk_live_x", "a Stripe secret key"],
    ["rk_test_x", "a Stripe secret key"],
    [`ghp_${a(20)}`, "a GitHub token"],
    ...["o", "u", "s", "r"].map((c): [string, string] => [`gh${c}_${a(20)}`, "a GitHub token"]),
    ["github_pat_x", "a GitHub token"],
    [`glpat-ab_cd-${a(10)}`, "a GitLab token"],
    ...["a", "b", "e", "p", "r", "s"].map((c): [string, string] => [`xox${c}-1234-678`, "a Slack token"]),
    [`AKIA${A(12)}1234`, "an AWS access key id"],
    [`ASIA${A(16)}`, "an AWS access key id"],
    [`AIza${a(33)}_-`, "a Google API key"],
    [`ya29.${a(18)}_-`, "a Google OAuth access token"],
    [`SG.${a(15)}-.${a(15)}_`, "a SendGrid API key"],
    [`npm_${a(35)}9`, "an npm token"],
    [`pypi-${a(38)}_-`, "a PyPI token"],
    ["-----BEGIN RSA PRIVATE KEY-----", "a private key"],
    ["-----BEGIN PRIVATE KEY-----", "a private key"],
    ["-----BEGIN EC2 PRIVATE KEY-----", "a private key"],
    ['{"private_key" : "x"}', "a service account key file"],
    [`eyJ${a(7)}_.eyJ${a(7)}-.${a(8)}`, "a JSON Web Token"],
    ["token: postgres://app:hunter2@db/app", "a URL with a password in it"],
    ["GIT+SSH://u:p@h", "a URL with a password in it"],
    ["redis://u:$1pw@h", "a URL with a password in it"],
    // Redis URLs carry a password with no user.
    ["x://:pw@h", "a URL with a password in it"],
  ])("%s is %s", (value, what) => {
    expect(secretShape(value)).toBe(what);
  });

  it.each([
    "pk_live_x",
    "xsk_live_x",
    `ghp_${a(19)}`,
    `ghx_${a(20)}`,
    `xghp_${a(20)}`,
    "xgithub_pat_x",
    `glpat-${a(15)}`,
    `xglpat-${a(16)}`,
    "xoxc-12345678",
    "xoxb-1234567",
    `AKIA${A(15)}`,
    `AKIA${A(17)}`,
    `XAKIA${A(16)}`,
    `akia${A(16)}`,
    `AIza${a(34)}`,
    `ya29.${a(19)}`,
    `SG.${a(15)}.${a(16)}`,
    `SG.${a(16)}.${a(15)}`,
    `npm_${a(35)}`,
    `npm_${a(37)}`,
    `pypi-${a(39)}`,
    "-----BEGIN PUBLIC KEY-----",
    "-----BEGIN rsa PRIVATE KEY-----",
    '{"private_key_id": "x"}',
    `eyJ${a(7)}.eyJ${a(8)}.${a(8)}`,
    `eyJ${a(8)}.eyJ${a(8)}.${a(7)}`,
    "postgres://app:${DB_PASSWORD}@db/app",
    "postgres://app:$DB_PASSWORD@db/app",
    "postgres://app@db/app",
    "x://:@h",
    "https://example.com/a:b@c",
    "9ab://u:p@h",
    "",
  ])("%s is not a credential", (value) => {
    expect(secretShape(value)).toBeUndefined();
  });
});

describe("secret names", () => {
  it.each(["PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"])("APP_%s names a secret", (word) => {
    expect(secretName(`APP_${word}`)).toBe(true);
  });

  it.each(["API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "MASTER_KEY", "AUTH_KEY"])("APP_%s names a secret by its adjacent words", (pair) => {
    expect(secretName(`APP_${pair}`)).toBe(true);
  });

  it("needs the pair's words adjacent and in order", () => {
    expect(secretName("KEY_API")).toBe(false);
    expect(secretName("API_PUBLIC_KEY")).toBe(false);
    expect(secretName("KEY")).toBe(false);
  });

  it("splits camelCase and digits into words", () => {
    expect(secretName("stripeSecretKey")).toBe(true);
    expect(secretName("s3ApiKey")).toBe(true);
    expect(secretName("passwordless")).toBe(false);
    expect(secretName("")).toBe(false);
    expect(secretName("__")).toBe(false);
  });

  it.each([
    "URL", "URI", "ENDPOINT", "HOST", "PATH", "FILE", "DIR", "NAME", "ID", "TTL", "EXPIRY", "EXPIRES", "LENGTH", "LEN", "TIMEOUT",
    "HEADER", "TYPE", "ENABLED", "REQUIRED", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "FIELD", "PARAM", "VERSION", "PROJECT",
    "LIFETIME", "SECONDS", "MINUTES", "MAX", "MIN", "COUNT", "REF", "KIND", "MODE", "POLICY", "ROTATION", "PORT", "SIZE", "LIMIT",
    "RETRIES", "PREFIX", "ALGORITHM", "ALG", "LOCATION", "REGION", "BUCKET",
  ])("TOKEN_%s is about a secret, not one", (word) => {
    expect(secretName(`TOKEN_${word}`)).toBe(false);
    // Only as the last word: PASSWORD_FILE_CONTENT is the secret itself.
    expect(secretName(`PASSWORD_${word}_CONTENT`)).toBe(true);
  });
});

describe("a literal secret", () => {
  it("names the shape of the value before looking at the name", () => {
    expect(literalSecret("GREETING", `ghp_${a(20)}`)).toBe("the value looks like a GitHub token");
  });

  it("names a secret-named variable with a real value", () => {
    expect(literalSecret("DB_PASSWORD", "hunter2")).toBe("the name says DB_PASSWORD is a secret, and its value is written here");
    expect(literalSecret("FEATURE_TOKEN", "yes")).toBe("the name says FEATURE_TOKEN is a secret, and its value is written here");
  });

  it("lets an empty, blank or boolean value through", () => {
    for (const value of ["", "  ", "true", "FALSE", "True"]) expect(literalSecret("DB_PASSWORD", value)).toBeUndefined();
    expect(literalSecret("GREETING", "hello")).toBeUndefined();
  });
});
