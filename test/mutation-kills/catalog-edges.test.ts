// The catalog rules' last edges: anchors of the secret checks, one-character names, decimal hints and where an
// issue points (the key or the value).
import { describe, expect, it } from "vitest";
import { literalSecret, secretName, secretShape } from "../../catalog/rules/secret-values";
import { issuesOf, linesOf } from "./rule-harness";

describe("secret checks, anchored", () => {
  it("lets only a whole true or false through", () => {
    expect(literalSecret("DB_PASSWORD", "truepass")).toBe("the name says DB_PASSWORD is a secret, and its value is written here");
    expect(literalSecret("DB_PASSWORD", "nottrue")).toBe("the name says DB_PASSWORD is a secret, and its value is written here");
  });

  it("treats a password that only ends in a placeholder as a password", () => {
    expect(secretShape("redis://u:pw${X}@h")).toBe("a URL with a password in it");
  });

  it("finds a key file's private_key without spaces", () => {
    expect(secretShape('{"private_key":"x"}')).toBe("a service account key file");
  });

  it("ignores empty words a trailing separator leaves", () => {
    expect(secretName("TOKEN_URL_")).toBe(false);
  });
});

describe("names of one character", () => {
  it("are valid GKE names and namespaces", () => {
    expect(linesOf({ name: "w", kind: "gke", namespace: "n" })).toEqual([]);
  });
});

describe("where build env issues point", () => {
  it("points at the key of a malformed or duplicated build env name", () => {
    expect(issuesOf({ name: "api", kind: "service", build: { env: { "1X": "a", T: "b" }, secretEnv: ["T"] } })).toEqual([
      { path: ["build", "env", "1X"], atKey: true, message: '"1X" is not a valid build environment variable name' },
      { path: ["build", "env", "T"], atKey: true, message: "T is also in build.secretEnv; keep it in one place (secretEnv, if it is a secret)" },
    ]);
  });
});

describe("a Dockerfile build", () => {
  it("says where a secret build env would have to go instead", () => {
    expect(linesOf({ name: "api", kind: "service", build: { dockerfile: "Dockerfile", secretEnv: ["T"] } })).toEqual([
      "build.secretEnv: build.secretEnv reaches pack as --env NAME; a Dockerfile build has no such route for secrets; it cannot be combined with build.dockerfile",
    ]);
  });
});

describe("a decimal memory unit with a fraction", () => {
  it("is hinted with its digits kept", () => {
    expect(linesOf({ name: "batch", kind: "job", memory: "0.25G" })).toEqual([
      'memory: "0.25G" is below 512Mi; Cloud Run jobs run on gen2, which needs at least 512Mi ("0.25G" counts in powers of 1000, 238Mi; did you mean "0.25Gi"?)',
    ]);
  });
});
