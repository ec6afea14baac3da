// The builder's decision, replayed: which buildpack group wins, which processes the image gets,
// and which findings would stop the build or the deploy.

import { DEFAULT_BUILDER, describeBuilder } from "./builder";
import { envValue, listFiles, type Context, type LanguageResult } from "./context";
import { dockerfileHints } from "./dockerfile";
import { error, toFinding, warning, type DetectResult, type Finding, type PreflightInput } from "./findings";
import { analyzeGo, goFiles, goRunAtLaunch } from "./go";
import { analyzeJava, javaMarker } from "./java";
import { analyzeNodeGoogle, analyzeNodePaketo, nodeMarkers, paketoDetectsNode } from "./nodejs";
import { offeredList, offeredMatches } from "./offered";
import { analyzeDart, analyzeDotnet, analyzePhp, analyzeRuby, dartMarker, dotnetMarker, phpMarker, rubyMarker } from "./others";
import { parseProcfile, processMap } from "./procfile";
import { analyzePythonGoogle, analyzePythonPaketo, asgiOnSyncWorker, dependencies, googlePackageManager, paketoDetectsPython, pythonFiles, readPyproject, requirementsWithoutPython, serversIn } from "./python";
import { isDirectory, readProjectToml, SourceTree, type ProjectDescriptor } from "./source";
import type { VersionedLanguage } from "./versions";

export function detect(input: PreflightInput): DetectResult {
  const builder = describeBuilder(input.builder || DEFAULT_BUILDER);
  const base: DetectResult = {
    dir: input.dir,
    language: null,
    packageManager: null,
    runtimeVersion: null,
    processes: {},
    defaultProcess: null,
    outcome: "detect-fail",
    findings: [],
    builderFamily: builder.family,
    detectedBy: null,
  };
  if (!isDirectory(input.dir)) {
    base.findings.push(
      toFinding(error("source-missing", `The service source folder ${input.dir} does not exist or is not a folder.`, "Fix the service's source path, or create the folder.", { breaksBuild: true })),
    );
    return base;
  }

  const descriptor = withServiceFilters(readProjectToml(input.dir), input);
  const tree = new SourceTree(input.dir, descriptor);
  const env: Record<string, string> = {};
  const envOrigin: Context["envOrigin"] = {};
  for (const [k, v] of Object.entries(descriptor?.env ?? {})) {
    env[k] = v;
    envOrigin[k] = "project.toml";
  }
  for (const [k, v] of Object.entries(input.buildEnv ?? {})) {
    env[k] = v;
    envOrigin[k] = "service build env";
  }
  const procfileText = tree.read("Procfile");
  const ctx: Context = {
    input,
    tree,
    builder,
    env,
    envOrigin,
    procfile: procfileText === null ? null : parseProcfile(procfileText, builder.family),
    issues: [],
  };

  if (descriptor?.problem) {
    ctx.issues.push(error("project-toml-invalid", `${descriptor.problem}; pack refuses to build.`, descriptor.problem.includes("include and exclude") ? "Keep either build.include or build.exclude (project.toml include/exclude), not both." : "Fix the TOML syntax in project.toml.", { file: "project.toml", breaksBuild: true }));
  }
  if (builder.vendor === "unknown") {
    ctx.issues.push(
      warning(
        "builder-unrecognized",
        `Gantry does not recognise the builder ${builder.image}, so it predicted with Google Cloud's builder rules.`,
        "Use gcr.io/buildpacks/builder or a paketobuildpacks/* builder, or expect the prediction to be approximate.",
      ),
    );
  } else if (builder.vendor === "heroku") {
    ctx.issues.push(
      warning(
        "builder-approximated",
        `${builder.image} is a Heroku builder; Gantry reads it with Paketo's rules (Procfile names may contain "-", web is the default process), so language detection is approximate.`,
        "Prefer gcr.io/buildpacks/builder or a paketobuildpacks/* builder for an exact prediction.",
      ),
    );
  }
  if (tree.truncated) {
    ctx.issues.push(warning("source-too-large", `The folder has more than ${tree.files.length} files; Gantry looked at the first ${tree.files.length} only.`, "Point the service at the app's own folder, or exclude generated files in project.toml."));
  }

  const picked = builder.family === "google" ? selectGoogle(ctx) : selectPaketo(ctx);
  const lang = picked?.result ?? null;

  let processes: Record<string, string> = {};
  let defaultProcess: string | null = null;
  if (lang) {
    processes = builder.family === "google" ? googleProcesses(ctx, lang, picked?.usesEntrypointConfig ?? false) : paketoProcesses(ctx, lang);
    defaultProcess = chooseDefault(ctx, processes);
    crossChecks(ctx, lang, processes, defaultProcess);
    if (lang.language === "python") {
      const py = readPyproject(ctx);
      asgiOnSyncWorker(ctx, processes, lang.pythonDefaultEntrypoint === true && processes["web"] === lang.web, dependencies(ctx, googlePackageManager(ctx, py), py));
    }
    if (lang.language === "go") goRunAtLaunch(ctx, processes);
    checkOfferedVersion(ctx, lang);
  }
  requirementsWithoutPython(ctx, lang?.language ?? null);
  ctx.issues.push(...dockerfileHints(tree, builder.image, ctx.procfile !== null));

  if (!lang && !ctx.issues.some((i) => i.severity === "error")) {
    ctx.issues.push(
      error(
        "nothing-detected",
        `No buildpack group of ${builder.image} accepts this folder: it has no file the builder keys on (package.json, *.py, *.go, pom.xml, build.gradle, go.mod, Gemfile, composer.json, *.csproj).`,
        "Point the service at the folder that holds the app's source, or add the language's manifest.",
        { breaksBuild: true },
      ),
    );
  }

  const outcome: DetectResult["outcome"] = !lang ? "detect-fail" : ctx.issues.some((i) => i.breaksBuild) ? "build-error" : "web";
  const findings = ctx.issues.map(toFinding).map(builder.vendor === "unknown" ? notBlocking : (f) => f);
  return {
    ...base,
    language: lang?.language ?? null,
    packageManager: lang?.packageManager ?? null,
    runtimeVersion: lang?.runtimeVersion ?? null,
    processes,
    defaultProcess,
    outcome,
    findings: [...findings.filter((f) => f.severity === "error"), ...findings.filter((f) => f.severity === "warning")],
    detectedBy: lang?.detectedBy ?? null,
  };
}

/**
 * A builder Gantry does not know (a platform team's own) may detect what Google's rules would not: its predictions are
 * shown, but only pack's real answer may stop a build, in `gantry detect` as in the catalog's preflight.
 */
function notBlocking(f: Finding): Finding {
  return f.severity === "error" ? { ...f, severity: "warning", fix: `${f.fix} (not blocking: a prediction for a builder Gantry does not recognise)` } : f;
}

/** service.yaml's build.include/exclude become project.toml's, so they replace what the folder has. */
function withServiceFilters(descriptor: ProjectDescriptor | null, input: PreflightInput): ProjectDescriptor | null {
  if (input.include === undefined && input.exclude === undefined) return descriptor;
  const d: ProjectDescriptor = descriptor ? { ...descriptor } : { env: {}, include: [], exclude: [], problem: null };
  if (input.include !== undefined) d.include = input.include;
  if (input.exclude !== undefined) d.exclude = input.exclude;
  if (d.include.length > 0 && d.exclude.length > 0) d.problem = "project.toml: cannot have both include and exclude defined";
  else if (d.problem?.includes("include and exclude")) d.problem = null;
  return d;
}


interface Picked {
  result: LanguageResult;
  /** The winning group runs google.config.entrypoint (Procfile / GOOGLE_ENTRYPOINT). */
  usesEntrypointConfig: boolean;
}

/**
 * Google's builder order (builders/gcp/base/builder.toml): .NET, Dart, Go, Java, Python with an
 * explicit entrypoint, Ruby, PHP, Node.js, Python with the default entrypoint, then a Ruby group
 * that only fails with a message. GOOGLE_RUNTIME opts every other language out (runtime.CheckOverride).
 */
function selectGoogle(ctx: Context): Picked | null {
  const { tree } = ctx;
  const override = envValue(ctx, "GOOGLE_RUNTIME")?.toLowerCase();
  const allowed = (lang: string): boolean => override === undefined || override.startsWith(lang);
  const forced = (lang: string): boolean => override !== undefined && override.startsWith(lang);
  const explicit = envValue(ctx, "GOOGLE_ENTRYPOINT") !== undefined || ctx.procfile !== null;
  const pyFiles = pythonFiles(tree);

  const dotnet = dotnetMarker(tree);
  if (dotnet && allowed("dotnet")) return { result: analyzeDotnet(ctx, dotnet), usesEntrypointConfig: true };
  const dart = dartMarker(tree);
  if (dart && allowed("dart")) return { result: analyzeDart(ctx, dart), usesEntrypointConfig: false };

  const go = goFiles(tree);
  if (go.length > 0 && allowed("go")) return { result: goPicked(ctx, go), usesEntrypointConfig: true };
  const java = javaMarker(tree) ?? (forced("java") ? "GOOGLE_RUNTIME" : null);
  if (java && allowed("java")) return { result: analyzeJava(ctx, java, explicit), usesEntrypointConfig: true };

  const python = pyFiles.length > 0 || forced("python");
  // The Python functions groups (required functions-framework) and the explicit-entrypoint ones come before Ruby.
  if (python && allowed("python") && (explicit || envValue(ctx, "GOOGLE_FUNCTION_TARGET") !== undefined)) {
    const result = analyzePythonGoogle(ctx, explicit);
    strayPython(ctx, pyFiles);
    return { result, usesEntrypointConfig: true };
  }
  const ruby = rubyMarker(tree) ?? (forced("ruby") ? "GOOGLE_RUNTIME" : null);
  if (ruby && allowed("ruby") && explicit) return { result: analyzeRuby(ctx, ruby), usesEntrypointConfig: true };
  const php = phpMarker(tree) ?? (forced("php") ? "GOOGLE_RUNTIME" : null);
  if (php && allowed("php")) return { result: analyzePhp(ctx, php), usesEntrypointConfig: true };

  const node = nodeMarkers(tree);
  const nodeDetected = node.packageJson || node.rootJs.length > 0 || forced("nodejs");
  if (nodeDetected && allowed("nodejs") && (node.packageJson || explicit)) {
    return { result: analyzeNodeGoogle(ctx, explicit), usesEntrypointConfig: true };
  }
  if (python && allowed("python")) return { result: analyzePythonGoogle(ctx, false), usesEntrypointConfig: false };

  if (ruby && allowed("ruby")) {
    ctx.issues.push(
      error(
        "ruby-no-entrypoint",
        "This is a Ruby app, and Google Cloud's builder does not infer a Ruby start command: without a Procfile or GOOGLE_ENTRYPOINT its last group fails the build on purpose.",
        "Add a Procfile such as `web: bundle exec rackup -p $PORT` (or `bin/rails server -p $PORT`).",
        { breaksBuild: true },
      ),
    );
    return { result: analyzeRuby(ctx, ruby), usesEntrypointConfig: false };
  }
  if (nodeDetected && allowed("nodejs") && !node.packageJson) {
    ctx.issues.push(
      error(
        "node-needs-entrypoint",
        `There are .js files (${listFiles(node.rootJs)}) but no package.json, and the builder's Node.js group for such folders only runs with a Procfile or GOOGLE_ENTRYPOINT, so no group accepts the folder.`,
        'Add a package.json (`npm init -y`, then a "start" script), or a Procfile with `web: node <file>`.',
        { breaksBuild: true },
      ),
    );
  }
  return null;
}

/** Paketo's builder order (paketo-buildpacks/builder-jammy-base builder.toml). */
function selectPaketo(ctx: Context): Picked | null {
  const { tree } = ctx;
  const ruby = tree.has("Gemfile") ? "Gemfile" : null;
  if (ruby) return { result: analyzeRuby(ctx, ruby), usesEntrypointConfig: true };
  const dotnet = dotnetMarker(tree);
  if (dotnet) return { result: analyzeDotnet(ctx, dotnet), usesEntrypointConfig: true };
  const go = goFiles(tree);
  if (go.length > 0) return { result: goPicked(ctx, go), usesEntrypointConfig: true };
  const java = javaMarker(tree);
  if (java && !java.startsWith("*.java")) return { result: analyzeJava(ctx, java, ctx.procfile !== null), usesEntrypointConfig: true };
  const webServer = envValue(ctx, "BP_WEB_SERVER") ?? (tree.has("nginx.conf") ? "nginx" : tree.has("httpd.conf") ? "httpd" : undefined);
  if (webServer) {
    return {
      result: { language: "static", packageManager: null, runtimeVersion: null, web: webServer === "httpd" ? "httpd -f /workspace/httpd.conf -k start -DFOREGROUND" : "nginx -p /workspace -c /workspace/nginx.conf", detectedBy: `web server config (${webServer})` },
      usesEntrypointConfig: true,
    };
  }
  const node = paketoDetectsNode(tree);
  if (node) return { result: analyzeNodePaketo(ctx, node), usesEntrypointConfig: true };
  const python = paketoDetectsPython(tree);
  if (python) return { result: analyzePythonPaketo(ctx, python), usesEntrypointConfig: true };
  if (ctx.procfile !== null) {
    return { result: { language: "procfile", packageManager: null, runtimeVersion: null, web: null, detectedBy: "Procfile only" }, usesEntrypointConfig: true };
  }
  return null;
}

const OTHER_LANGUAGE_MARKERS: [string, string][] = [
  ["pom.xml", "Java"],
  ["build.gradle", "Java"],
  ["build.gradle.kts", "Java"],
  ["package.json", "Node.js"],
  ["requirements.txt", "Python"],
  ["pyproject.toml", "Python"],
  ["Gemfile", "Ruby"],
  ["composer.json", "PHP"],
];

/** Go won: analyse it, unless the .go files are strays, where Go's own complaints would only distract. */
function goPicked(ctx: Context, files: string[]): LanguageResult {
  const before = ctx.issues.length;
  const result = analyzeGo(ctx);
  if (strayGo(ctx, files)) ctx.issues.splice(before, ctx.issues.length - before - 1);
  return result;
}

/** *.go files anywhere make Go win over Java, Python and Node.js; flag them when the app is something else. */
function strayGo(ctx: Context, files: string[]): boolean {
  if (ctx.tree.has("go.mod")) return false; // a Go module at the root is a Go app, whatever else it carries
  if (envValue(ctx, "GOOGLE_RUNTIME")?.toLowerCase().startsWith("go")) return false; // asked for on purpose
  const other = OTHER_LANGUAGE_MARKERS.find(([f]) => ctx.tree.has(f));
  if (!other) return false;
  const [marker, language] = other;
  const runtime = language === "Node.js" ? "nodejs" : language.toLowerCase();
  ctx.issues.push(
    error(
      "stray-go-files",
      `The builder picks Go before ${language} because it found .go files (${listFiles(files)}), so ${marker} is never used and the build compiles the wrong thing.`,
      `Move those .go files out of the source folder, add "**/*.go" to build.exclude in service.yaml (project.toml exclude), or set GOOGLE_RUNTIME=${runtime} under build.env.`,
      { file: files[0], breaksBuild: true },
    ),
  );
  return true;
}

/** With a Procfile, Python's explicit-entrypoint group runs before Ruby, PHP and Node.js. */
function strayPython(ctx: Context, files: string[]): void {
  if (["requirements.txt", "pyproject.toml", "setup.py", "Pipfile"].some((f) => ctx.tree.has(f))) return;
  const candidates: [string, string, string][] = [
    ["package.json", "Node.js", "nodejs"],
    ["composer.json", "PHP", "php"],
    ["Gemfile", "Ruby", "ruby"],
  ];
  const hit = candidates.find(([f]) => ctx.tree.has(f));
  if (!hit || files.length === 0) return;
  const [marker, language, runtime] = hit;
  ctx.issues.push(
    error(
      "stray-python-files",
      `With a Procfile, the builder picks Python before ${language} because it found .py files (${listFiles(files)}); the image gets Python instead of ${language} and ${marker} is never installed, so the web command fails on start.`,
      `Move those .py files out of the source folder, add "**/*.py" to build.exclude in service.yaml (project.toml exclude), or set GOOGLE_RUNTIME=${runtime} under build.env.`,
      { file: files[0] },
    ),
  );
}

function procfileDiagnostics(ctx: Context): void {
  const p = ctx.procfile;
  if (!p) return;
  const google = ctx.builder.family === "google";
  for (const r of p.rejected) {
    ctx.issues.push(
      error(
        "procfile-invalid-process-name",
        r.reason === "indented"
          ? `Procfile line ${r.line} starts with spaces, so the builder does not read "${r.name}" as a process.`
          : r.reason === "space"
            ? `Procfile line ${r.line} has a space before its colon ("${r.name} :"), so the builder does not read "${r.name}" as a process.`
            : google
            ? `"${r.name}" is not a process name Google Cloud's builder accepts (letters, digits and _ only), so it skips Procfile line ${r.line}.`
            : `"${r.name}" is not a process name the Procfile buildpack accepts (letters, digits, _ and -), so it skips Procfile line ${r.line}.`,
        r.reason === "indented" ? "Remove the leading spaces." : r.reason === "space" ? `Remove the space: \`${r.name}: <command>\`.` : `Rename it, e.g. "${r.name.replace(google ? /[^A-Za-z0-9_]/g : /[^A-Za-z0-9_-]/g, "_")}".`,
        { file: "Procfile", line: r.line },
      ),
    );
  }
  for (const e of p.emptyCommands) {
    ctx.issues.push(
      error(
        "procfile-empty-command",
        e.swallowed !== null
          ? `Procfile line ${e.line} ("${e.name}:") has no command, and the builder's parser then takes the next line as its command: ${e.name} would run \`${e.swallowed}\`.`
          : `Procfile line ${e.line} ("${e.name}:") has no command, so the builder has no ${e.name} process.`,
        `Put the command on the same line: \`${e.name}: <command>\`.`,
        { file: "Procfile", line: e.line },
      ),
    );
  }
  for (const d of p.duplicates) {
    ctx.issues.push(
      warning(
        "procfile-duplicate-process",
        google ? `Procfile defines "${d.name}" again on line ${d.line}; the builder keeps the first definition and ignores this one.` : `Procfile defines "${d.name}" more than once; the buildpack keeps the last definition, so line ${d.line} is ignored.`,
        "Delete the definition you don't want.",
        { file: "Procfile", line: d.line },
      ),
    );
  }
  if (!google) {
    for (const proc of p.processes) {
      if (proc.name.includes("-")) {
        ctx.issues.push(
          warning(
            "process-name-not-portable",
            `Process "${proc.name}" has a "-", which this builder accepts but Google Cloud's builder would skip.`,
            `Use "${proc.name.replace(/-/g, "_")}" so the Procfile works on both builders.`,
            { file: "Procfile", line: proc.line },
          ),
        );
      }
    }
  }
}

function googleProcesses(ctx: Context, lang: LanguageResult, usesEntrypointConfig: boolean): Record<string, string> {
  const defaults: Record<string, string> = lang.web ? { web: lang.web } : {};
  if (!usesEntrypointConfig) return defaults;
  const entrypoint = envValue(ctx, "GOOGLE_ENTRYPOINT");
  if (entrypoint !== undefined) {
    if (ctx.procfile) {
      const others = ctx.procfile.processes.map((p) => p.name);
      ctx.issues.push(
        warning(
          "procfile-ignored",
          `GOOGLE_ENTRYPOINT is set, so the builder never reads the Procfile${others.length ? `: its processes (${others.join(", ")}) will not exist in the image` : ""}.`,
          "Drop GOOGLE_ENTRYPOINT and keep the web command in the Procfile, or delete the Procfile.",
          { file: "Procfile" },
        ),
      );
    }
    pythonServerCheck(ctx, lang, { web: entrypoint }, null);
    return { web: entrypoint };
  }
  const p = ctx.procfile;
  if (!p) return defaults;
  procfileDiagnostics(ctx);
  if (p.processes.length === 0) {
    ctx.issues.push(error("procfile-no-processes", 'The builder stops with "did not find any processes in Procfile": no line has the form `name: command`.', "Add a line such as `web: <command that starts the server>`.", { file: "Procfile", breaksBuild: true }));
    return defaults;
  }
  const procs = processMap(p);
  if (procs["web"] === undefined) {
    ctx.issues.push(
      error(
        "procfile-missing-web",
        `The builder stops with "web process not found in Procfile, found processes: [${p.processes.map((x) => x.name).join(" ")}]": Google Cloud's builder requires a web line.`,
        "Add `web: <command that starts the server>` to the Procfile (a job can still run another process).",
        { file: "Procfile", breaksBuild: true },
      ),
    );
  }
  pythonServerCheck(ctx, lang, procs, p);
  return procs;
}

function paketoProcesses(ctx: Context, lang: LanguageResult): Record<string, string> {
  const procs: Record<string, string> = lang.web ? { web: lang.web } : {};
  if (ctx.procfile) {
    procfileDiagnostics(ctx);
    Object.assign(procs, processMap(ctx.procfile));
  }
  return procs;
}

/** gcp-rules.md §5 item 45: with an explicit entrypoint nothing installs gunicorn for you. */
function pythonServerCheck(ctx: Context, lang: LanguageResult, procs: Record<string, string>, p: ReturnType<typeof parseProcfile> | null): void {
  if (lang.language !== "python") return;
  const py = readPyproject(ctx);
  const deps = dependencies(ctx, googlePackageManager(ctx, py), py);
  for (const [name, command] of Object.entries(procs)) {
    for (const server of serversIn(command)) {
      const pkg = server === "waitress-serve" ? "waitress" : server;
      if (deps.packages.has(pkg)) continue;
      const line = p?.processes.find((x) => x.name === name)?.line;
      const where = p ? `Procfile process "${name}"` : "GOOGLE_ENTRYPOINT";
      ctx.issues.push(
        error(
          "python-server-not-installed",
          `${where} runs ${server}, but ${pkg} is not in ${deps.source ?? "any dependency file"}; with an explicit entrypoint the builder does not add it, so the process fails with "${server}: command not found".`,
          `Add ${pkg} to ${deps.source ?? "requirements.txt"}.`,
          p ? { file: "Procfile", ...(line !== undefined ? { line } : {}) } : {},
        ),
      );
    }
  }
}

function chooseDefault(ctx: Context, procs: Record<string, string>): string | null {
  const wanted = ctx.input.defaultProcess;
  if (wanted) {
    if (procs[wanted] === undefined) {
      ctx.issues.push(
        error(
          "default-process-missing",
          `build.defaultProcess is "${wanted}", but the image has no such process (it has: ${Object.keys(procs).join(", ") || "none"}); pack's export stops with "tried to set ${wanted} to default but it doesn't exist".`,
          `Set build.defaultProcess to one of ${Object.keys(procs).join(", ") || "the Procfile's processes"}, or add "${wanted}" to the Procfile.`,
          { breaksBuild: true },
        ),
      );
      return null;
    }
    return wanted;
  }
  if (ctx.builder.family === "paketo" && ctx.procfile) {
    // The Procfile buildpack runs last and marks web, else worker, as default (markDefaultProcess);
    // Heroku's makes a lone process the default whatever its name.
    const fromProcfile = ctx.procfile.processes.map((p) => p.name);
    if (fromProcfile.includes("web")) return "web";
    if (ctx.builder.vendor === "heroku" && fromProcfile.length === 1) return fromProcfile[0] ?? null;
    if (ctx.builder.vendor !== "heroku" && fromProcfile.includes("worker")) return "worker";
  }
  return procs["web"] !== undefined ? "web" : null;
}

const PORT_PATTERNS = [/(?:^|\s)(?:-b|--bind)(?:=|\s+)['"]?[\w.[\]-]*:(\d{2,5})\b/, /--port(?:=|\s+)(\d{2,5})\b/, /--server\.port(?:=|\s+)(\d{2,5})\b/, /--listen(?:=|\s+)[\w.[\]-]*:(\d{2,5})\b/];

function literalPort(command: string): number | null {
  for (const re of PORT_PATTERNS) {
    const m = re.exec(command);
    if (m) return Number(m[1]);
  }
  return null;
}

function crossChecks(ctx: Context, lang: LanguageResult, procs: Record<string, string>, defaultProcess: string | null): void {
  const { input } = ctx;
  const kind = input.kind ?? "service";
  const breaking = ctx.issues.some((i) => i.breaksBuild);

  if (kind === "job" && input.jobProcess) {
    const want = input.jobProcess;
    if (procs[want] === undefined) {
      const viaEntrypoint = ctx.builder.family === "google" && envValue(ctx, "GOOGLE_ENTRYPOINT") !== undefined && ctx.procfile !== null;
      const reason = viaEntrypoint
        ? "GOOGLE_ENTRYPOINT makes the builder ignore the Procfile, so only web exists"
        : ctx.procfile
          ? `the Procfile defines ${ctx.procfile.processes.map((p) => p.name).join(", ") || "no processes"}`
          : "there is no Procfile, so the image only has the builder's web process";
      ctx.issues.push(
        error(
          "job-process-missing",
          `The job runs process "${want}", but ${reason}; /cnb/process/${want} will not exist and the job fails on start.`,
          ctx.builder.family === "google" && !/^\w+$/.test(want)
            ? `Use a name of letters, digits and _ (Google's Procfile parser skips others) and add \`${want.replace(/\W/g, "_")}: <command>\` to the Procfile.`
            : `Add \`${want}: <command>\` to the Procfile, or point the job at one of: ${Object.keys(procs).join(", ") || "web"}.`,
          ctx.procfile ? { file: "Procfile" } : {},
        ),
      );
    }
  }

  const servesHttp = kind === "service" || kind === "gke";
  if (servesHttp && !breaking && procs["web"] === undefined && defaultProcess === null) {
    ctx.issues.push(
      error(
        "no-web-process",
        "The image would have no web process and no default process, so the container has nothing to start.",
        "Add `web: <command that starts the server>` to the Procfile.",
        ctx.procfile ? { file: "Procfile" } : {},
      ),
    );
  }

  const web = procs["web"];
  if (servesHttp && input.port !== undefined && web !== undefined) {
    if (lang.pythonDefaultEntrypoint && web === lang.web) {
      if (input.port !== 8080) {
        ctx.issues.push(
          error(
            "python-default-port",
            `The builder's default entrypoint \`${web}\` listens on 8080 (hard-coded, not $PORT), but the service declares port ${input.port}; the container would never become ready.`,
            `Set the service's port to 8080, or add a Procfile with \`web: ${web.replace(/:8080\b/, ":$PORT").replace(/--port 8080/, "--port $PORT").replace(/--server\.port 8080/, "--server.port $PORT")}\`.`,
          ),
        );
      }
    } else {
      const literal = literalPort(web);
      if (literal !== null && literal !== input.port) {
        ctx.issues.push(
          warning(
            "web-port-mismatch",
            `The web command listens on port ${literal}, but the service declares port ${input.port}.`,
            `Use $PORT in the web command (Cloud Run and Gantry set it to ${input.port}), or change the service's port to ${literal}.`,
            ctx.procfile && envValue(ctx, "GOOGLE_ENTRYPOINT") === undefined ? { file: "Procfile", ...lineOf(ctx, "web") } : {},
          ),
        );
      }
    }
  }

  if (ctx.builder.family === "paketo" && lang.language === "python" && web === "python") {
    const runs = kind === "job" ? (input.jobProcess ?? defaultProcess) : "web";
    if (runs === "web") {
      ctx.issues.push(
        error(
          "paketo-python-no-web",
          "Without a Procfile web line, Paketo's python-start makes the web process a bare `python` interpreter, which exits at once in a container.",
          "Add a Procfile such as `web: gunicorn --bind 0.0.0.0:$PORT main:app` (and list gunicorn in requirements.txt).",
        ),
      );
    }
  }
}

function lineOf(ctx: Context, name: string): { line?: number } {
  const line = ctx.procfile?.processes.find((p) => p.name === name)?.line;
  return line === undefined ? {} : { line };
}

const VERSIONED: Record<string, VersionedLanguage> = { python: "python", nodejs: "nodejs", go: "go", java: "java", ruby: "ruby", php: "php", dotnet: "dotnet" };

function checkOfferedVersion(ctx: Context, lang: LanguageResult): void {
  const rv = lang.runtimeVersion;
  const language = VERSIONED[lang.language];
  if (ctx.builder.family !== "google" || !rv?.value || !language || rv.source.startsWith("builder default")) return;
  const stack = ctx.builder.stack ?? "google-22";
  let requested = rv.value;
  if (language === "java") requested = requested.replace(/^1\.(\d+)/, "$1");
  const matches = offeredMatches(language, requested, stack);
  if (matches !== null && matches.length > 0) return;
  const file = rv.source === ".python-version" ? ".python-version" : rv.source.startsWith("package.json") ? "package.json" : undefined;
  ctx.issues.push(
    warning(
      "runtime-version-unavailable",
      matches === null
        ? `${lang.language} version "${rv.value}" (${rv.source}) is not a version the builder can resolve.`
        : `${lang.language} ${rv.value} (${rv.source}) is not offered by ${ctx.builder.image} (${stack}), which has ${offeredList(language, stack)}; the build would fail to install it.`,
      `Ask for one of ${offeredList(language, stack)}${stack !== "google-24" ? ", or use a builder tag that offers it" : ""}.`,
      file ? { file } : {},
    ),
  );
}
