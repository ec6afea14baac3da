// The port: what the app listens on after the migration against the port the service declares.

import { defaultPortOf, sourceListen } from "./listen";
import type { Check, CompareContext } from "./types";

export interface PortComparison {
  /** EXPOSE lines of the image (tcp). */
  expose: number[];
  /** The port service.yaml declares (Cloud Run sets $PORT to it); null for jobs. */
  service: number | null;
  /** What the buildpacks' default commands listen on. */
  builderDefault: 8080;
  /** A port written literally in the command that runs after the migration. */
  listens: number | null;
}

const PORT_PATTERNS = [
  /(?:^|\s)(?:-b|--bind)(?:=|\s+)['"]?[\w.:[\]-]*:(\d{2,5})\b/,
  /--port(?:=|\s+)(\d{2,5})\b/,
  /--server\.port(?:=|\s+)(\d{2,5})\b/,
  /--listen(?:=|\s+)[\w.:[\]-]*:(\d{2,5})\b/,
  /(?:^|\s)-p(?:=|\s+)(\d{2,5})\b/,
  /(?:^|\s)runserver\s+(?:[\d.]+:)?(\d{2,5})\b/,
  /(?:^|\s)--(?:http-)?socket(?:=|\s+)[\w.]*:(\d{2,5})\b/,
  /(?:^|\s)-Dserver\.port=(\d{2,5})\b/,
];

export function literalPort(command: string): number | null {
  for (const re of PORT_PATTERNS) {
    const m = re.exec(command);
    if (m) return Number(m[1]);
  }
  return null;
}

export function comparePort(ctx: CompareContext, after: string | null): { comparison: PortComparison; checks: Check[] } {
  const spec = ctx.service.spec;
  const config = ctx.parsed.config;
  const expose = [...new Set(config.expose.filter((e) => e.protocol === "tcp").map((e) => e.port))];
  const service = spec.kind === "job" ? null : spec.port;
  // Where the port comes from, most certain first: a flag in the command, the server's own default, the source.
  const literal = after ? literalPort(after) : null;
  const readsPortInCommand = after !== null && /\$\{?PORT\b/.test(after);
  const byDefault = after && literal === null ? defaultPortOf(after) : null;
  const source = literal === null && byDefault === null && !readsPortInCommand ? sourceListen(ctx.service.sourceDir) : null;
  const fromSource = source && !source.readsPort ? source.port : null;
  const listens = literal ?? byDefault ?? fromSource;
  const comparison: PortComparison = { expose, service, builderDefault: 8080, listens };
  const checks: Check[] = [];
  if (service === null) return { comparison, checks };

  const launchLine = (config.entrypoint ?? config.cmd)?.line;
  const lineOf = launchLine ? { line: launchLine } : {};
  const where = literal !== null ? "the command" : byDefault !== null ? `\`${after!.split(/\s+/)[0]}\` by default (the command gives no port)` : `the app (${source?.where})`;
  if (listens !== null && listens < 1024) {
    checks.push({ aspect: "port", kind: "step", ...lineOf, text: `make the app listen on $PORT and keep \`port: ${service}\` in service.yaml: ${where} binds port ${listens}, and buildpacks images run as a non-root user, which cannot bind a port below 1024` });
  } else if (listens !== null && listens !== service && literal !== null) {
    checks.push({ aspect: "port", kind: "step", ...lineOf, text: `set \`port: ${listens}\` in service.yaml: the command listens on ${listens}, and traffic goes to the declared port ${service}` });
  } else if (listens !== null && listens !== service) {
    checks.push({ aspect: "port", kind: "step", ...lineOf, text: `make the app read $PORT (Cloud Run sets it to the service's port ${service}), or set \`port: ${listens}\` in service.yaml: ${where} listens on ${listens}, not on ${service}` });
  } else if (listens === null && service < 1024) {
    checks.push({ aspect: "port", kind: "step", text: `listen on 8080 and set \`port: 8080\` in service.yaml: buildpacks images run as a non-root user, which cannot bind port ${service}` });
  }
  const portEnv = config.env.find((e) => e.name === "PORT");
  if (portEnv && spec.kind === "gke" && spec.env?.PORT !== portEnv.value) {
    checks.push({ aspect: "port", kind: "step", line: portEnv.line, text: `add \`PORT: "${portEnv.value}"\` under env in service.yaml: the Dockerfile sets it (ENV), and GKE does not` });
  } else if (portEnv && spec.kind === "service" && portEnv.value !== String(service)) {
    checks.push({ aspect: "port", kind: "note", line: portEnv.line, text: `ENV PORT=${portEnv.value} never applied on Cloud Run, which sets PORT to the service's port ${service}` });
  }
  const other = expose.filter((p) => p !== service);
  if (listens === null && other.length > 0) {
    const line = config.expose.find((e) => e.port === other[0])?.line;
    checks.push({
      aspect: "port",
      kind: "note",
      ...(line ? { line } : {}),
      text: `EXPOSE ${other.join(" ")} is not the service's port ${service}; EXPOSE has no effect on Cloud Run or GKE, which send traffic to ${service}${spec.kind === "service" ? " and set $PORT to it" : ""}: the app must listen there, with or without the Dockerfile`,
    });
  }
  return { comparison, checks };
}
