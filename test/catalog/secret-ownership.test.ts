import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { catalogOf, PLATFORM_YAML } from "../support/catalog-fixture";

/*
 * Issue 16, attack 3: a service.yaml could reference any secret, of its own project or another, and Gantry
 * granted the service's account secretAccessor on it before anyone reviewed the change. Each case loads a real
 * catalog from files, as `gantry validate` and the program do.
 */

const errors = (services: Record<string, string>, stackExtra = "") =>
  catalogOf(services, { dev: PLATFORM_YAML("dev", stackExtra) }).lines.filter((l) => !l.includes("warning"));

describe("secrets a service may reference", () => {
  it("accepts the ids a service owns: its name, or its name and a hyphen", () => {
    expect(errors({ api: "name: api\nkind: service\nsecrets:\n  A: api\n  B: api-db-password\n  C: {secret: api-token, version: 3}\n" })).toEqual([]);
  });

  it("refuses another service's secret at its line, naming the rule, without printing the id", () => {
    const lines = errors({ api: "name: api\nkind: service\nsecrets:\n  SESSION: storefront-session-key\n  NEAR: apix-key\n" });
    expect(lines).toEqual([
      'services/api/service.yaml:4:12 secrets.SESSION: secret ownership: api may reference only secrets it owns (ids "api" or "api-*") or ones gantry:secrets.shared lends it, and the id given (not shown: it may be the secret itself) is neither',
      'services/api/service.yaml:5:9 secrets.NEAR: secret ownership: api may reference only secrets it owns (ids "api" or "api-*") or ones gantry:secrets.shared lends it, and the id given (not shown: it may be the secret itself) is neither',
    ]);
    expect(lines.join("\n")).not.toContain("storefront-session-key");
  });

  it("refuses a secret of a service whose name extends this one's: api-gateway-* is api-gateway's, not api's", () => {
    const services = {
      api: "name: api\nkind: service\nsecrets:\n  GW: api-gateway-signing-key\n  OWN: api-db-password\n",
      gw: "name: api-gateway\nkind: service\nsecrets:\n  KEY: api-gateway-signing-key\n",
    };
    const lines = errors(services);
    expect(lines).toEqual([
      'services/api/service.yaml:4:7 secrets.GW: secret ownership: GW names a secret of service api-gateway (ids "api-gateway" or "api-gateway-*"), not of api; gantry:secrets.shared may lend it to api',
    ]);
    expect(lines.join("\n")).not.toContain("signing-key");
    // Lent by the platform config, it is api's to read.
    expect(errors(services, "  gantry:secrets:\n    shared:\n      api-gateway-signing-key: [api]\n")).toEqual([]);
  });

  it("knows the other services even when validating one (--service)", () => {
    const root = catalogOf({ api: "name: api\nkind: service\nsecrets:\n  GW: api-gateway-signing-key\n", gw: "name: api-gateway\nkind: service\n" }, { dev: PLATFORM_YAML("dev") }).root;
    const only = loadCatalog({ projectDir: root, cwd: root, only: ["api"] }).problems.map(formatProblem);
    expect(only).toEqual([expect.stringMatching(/^services\/api\/service\.yaml:4:7 secrets\.GW: secret ownership: GW names a secret of service api-gateway/)]);
  });

  it("refuses the issue's attack: a dev service reading a prod project's secret", () => {
    const lines = errors({ api: "name: api\nkind: service\nsecrets:\n  PROD_DB: projects/acme-gantry-prod/secrets/prod-db-password\n" });
    expect(lines).toEqual([
      "services/api/service.yaml:4:12 secrets.PROD_DB: secret ownership: PROD_DB reads a secret of project acme-gantry-prod, not this stack's (acme-dev-proj); only projects listed in gantry:allowedSecretProjects may be referenced",
    ]);
  });

  it("refuses another project even for an id the service would own there", () => {
    expect(errors({ api: "name: api\nkind: service\nsecrets:\n  A: projects/acme-shared-1/secrets/api-key\n" })).toHaveLength(1);
  });

  it("allows a listed project, where ownership still holds", () => {
    const extra = "  gantry:allowedSecretProjects: [acme-shared-1]\n";
    expect(errors({ api: "name: api\nkind: service\nsecrets:\n  A: projects/acme-shared-1/secrets/api-key\n" }, extra)).toEqual([]);
    expect(errors({ api: "name: api\nkind: service\nsecrets:\n  A: projects/acme-shared-1/secrets/billing-key\n" }, extra)).toEqual([
      expect.stringMatching(/^services\/api\/service\.yaml:4:6 secrets\.A: secret ownership: api may reference only secrets it owns/),
    ]);
  });

  it("lends a shared secret to the services named, and to no other", () => {
    const extra = "  gantry:allowedSecretProjects: [acme-shared-1]\n  gantry:secrets:\n    shared:\n      warehouse-password: [report, api]\n      projects/acme-shared-1/secrets/smtp: [api]\n";
    const services = {
      api: "name: api\nkind: service\nsecrets:\n  W: warehouse-password\n  S: projects/acme-shared-1/secrets/smtp\n",
      web: "name: web\nkind: service\nsecrets:\n  W: warehouse-password\n  S: projects/acme-shared-1/secrets/smtp\n",
    };
    const lines = errors(services, extra);
    expect(lines.map((l) => l.slice(0, l.indexOf(" secret ownership")))).toEqual(["services/web/service.yaml:4:6 secrets.W:", "services/web/service.yaml:5:6 secrets.S:"]);
  });

  it("reports a malformed sharing policy at its line in the stack file", () => {
    const lines = catalogOf({}, { dev: PLATFORM_YAML("dev", "  gantry:secrets:\n    shared:\n      'bad id!': [api]\n      ok-id: []\n") }).lines;
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Pulumi\.dev\.yaml:6:7 gantry:secrets\.shared\.bad id!: .*a shared secret is a secret id/),
        expect.stringMatching(/^Pulumi\.dev\.yaml:7:14 gantry:secrets\.shared\.ok-id: .*name at least one service/),
      ]),
    );
  });
});
