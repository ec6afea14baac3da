// What migrate tells the user about the OS packages a Dockerfile installs (packages.ts) and about its ENV, USER and
// HEALTHCHECK (env.ts), on hand-made inputs with the expected answers written out.
import { describe, expect, it } from "vitest";
import { compareEnv, compareUser } from "../../migrate/env";
import { alternativeFor, classifyPackage } from "../../migrate/packages";
import type { CompareContext } from "../../migrate/types";

describe("which OS packages need a custom image", () => {
  // Tools only the build needs: in the builder's build image, wherever they are installed.
  it.each([
    "build-essential", "build-base", "gcc", "g++", "make", "cmake", "pkg-config", "pkgconf", "musl-dev", "libc-dev", "libc6-dev", "linux-headers",
    "git", "unzip", "xz-utils", "gnupg", "gnupg2", "apt-transport-https", "software-properties-common",
  ])("%s is a build tool in a build stage and in the image", (pkg) => {
    expect(classifyPackage(pkg, false)).toBe("build-tool");
    expect(classifyPackage(pkg, true)).toBe("build-tool");
  });

  // In both lists: a build tool in a build stage, harmless in the image.
  it.each(["ca-certificates", "curl", "wget", "libc6-compat", "gcompat"])("%s is a build tool in a build stage, harmless in the image", (pkg) => {
    expect(classifyPackage(pkg, false)).toBe("build-tool");
    expect(classifyPackage(pkg, true)).toBe("harmless");
  });

  // Harmless only in the image: in a build stage nothing vouches for them.
  it.each(["tzdata", "tini", "dumb-init", "bash", "coreutils", "procps", "shadow", "shadow-utils", "su-exec", "gosu", "sudo", "locales"])(
    "%s is harmless in the image and needs an image in a build stage",
    (pkg) => {
      expect(classifyPackage(pkg, true)).toBe("harmless");
      expect(classifyPackage(pkg, false)).toBe("needs-image");
    },
  );

  it.each([
    "python", "python3", "python3.11", "python3-pip", "python3-dev", "python3-venv", "python3-distutils", "python3-setuptools", "python3-wheel", "python3.11-venv", "py3-pip",
    "nodejs", "npm", "yarn",
    "openjdk", "openjdk17", "openjdk-17", "openjdk-17-jre", "openjdk-17-jdk", "openjdk-17-jre-headless", "openjdk-17-headless", "openjdk-jdk",
    "java-17-openjdk", "java-1.8.0-openjdk-devel", "java-17-openjdk-headless",
    "default-jre", "default-jre-headless", "default-jdk", "default-jdk-headless",
    "golang", "golang-go", "go", "ruby", "ruby-dev", "ruby-full", "php", "php8.2", "php-cli", "php8.2-fpm",
    "dotnet-sdk-8.0", "dotnet-runtime-8.0", "maven", "gradle",
    // Names are case-insensitive.
    "Python3", "NodeJS",
  ])("%s is a language runtime the builder brings", (pkg) => {
    expect(classifyPackage(pkg, true)).toBe("language-runtime");
    expect(classifyPackage(pkg, false)).toBe("language-runtime");
  });

  it.each([
    // Just past each end of the runtime pattern: a prefix, a suffix, or a suffix the pattern does not list.
    "xpython3", "python3-pipx", "python3-tk", "py3-numpy", "nodejs-doc", "npmx", "openjdk-17-jrex", "java-openjdk", "java-17-openjdk-src", "default-jre-x",
    "golang-src", "gox", "ruby-bundler", "php8.2-gd", "dotnet-sdk", "dotnet-host-8.0", "maven2", "libpython3-dev",
    // Packages no image of the builder's has.
    "ffmpeg", "libpq-dev", "chromium", "imagemagick",
  ])("%s needs a custom image", (pkg) => {
    expect(classifyPackage(pkg, true)).toBe("needs-image");
    expect(classifyPackage(pkg, false)).toBe("needs-image");
  });

  it("build tools and harmless packages are matched without regard to case", () => {
    expect(classifyPackage("GCC", false)).toBe("build-tool");
    expect(classifyPackage("TzData", true)).toBe("harmless");
  });

  it("names the way out for the database client libraries, whatever the case", () => {
    const psycopg = "psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither";
    const pymysql = "PyMySQL, a pure-Python driver, needs neither";
    expect(alternativeFor("libpq-dev")).toBe(psycopg);
    expect(alternativeFor("libpq5")).toBe(psycopg);
    expect(alternativeFor("postgresql-dev")).toBe(psycopg);
    expect(alternativeFor("LIBPQ-DEV")).toBe(psycopg);
    expect(alternativeFor("default-libmysqlclient-dev")).toBe(pymysql);
    expect(alternativeFor("libmysqlclient-dev")).toBe(pymysql);
    expect(alternativeFor("ffmpeg")).toBeUndefined();
  });
});

interface EnvLine {
  name: string;
  value: string;
  source?: string;
  line: number;
}

function envCtx(lines: EnvLine[], spec: { env?: Record<string, string>; secrets?: Record<string, unknown> } = {}): CompareContext {
  return { service: { spec }, parsed: { config: { env: lines, user: null, healthcheck: null } } } as unknown as CompareContext;
}

function userCtx(user: string | null, healthcheck: number | null = null): CompareContext {
  return { parsed: { config: { env: [], user: user === null ? null : { value: user, line: 7 }, healthcheck } } } as unknown as CompareContext;
}

const carry = (name: string, value: string, line = 3, how = " (ENV)") => ({
  aspect: "env",
  kind: "step",
  line,
  text: `add \`${name}: "${value}"\` under env in service.yaml: the Dockerfile sets it${how} and the app may read it at run time`,
});

describe("ENV lines", () => {
  it.each([
    "PATH", "HOME", "LANG", "LC_ALL", "LANGUAGE", "DEBIAN_FRONTEND", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHASHSEED",
    "VIRTUAL_ENV", "PIPENV_VENV_IN_PROJECT", "GOPATH", "GOBIN", "GOFLAGS", "GO111MODULE", "CGO_ENABLED", "GOOS", "GOARCH", "JAVA_HOME", "GEM_HOME",
    "BUNDLE_PATH", "BUNDLE_WITHOUT", "PORT", "APP_HOME", "NEXT_TELEMETRY_DISABLED", "HOSTNAME",
    "PIP_NO_CACHE_DIR", "POETRY_VIRTUALENVS_CREATE", "UV_COMPILE_BYTECODE", "NPM_CONFIG_LOGLEVEL", "YARN_CACHE_FOLDER", "PNPM_HOME", "NODE_OPTIONS_X",
  ])("%s is plumbing buildpacks set themselves: nothing to carry over", (name) => {
    expect(compareEnv(envCtx([{ name, value: "1", line: 3 }]))).toEqual([]);
  });

  it("a name that only contains a plumbing prefix, or differs in case, is carried over", () => {
    expect(compareEnv(envCtx([{ name: "MY_PIP_MODE", value: "1", line: 3 }]))).toEqual([carry("MY_PIP_MODE", "1")]);
    expect(compareEnv(envCtx([{ name: "path", value: "1", line: 3 }]))).toEqual([carry("path", "1")]);
    expect(compareEnv(envCtx([{ name: "NODE_OPTIONS", value: "--max-old-space-size=512", line: 3 }]))).toEqual([carry("NODE_OPTIONS", "--max-old-space-size=512")]);
  });

  it("NODE_ENV=production, or a value only a build arg gives, is the builders' default", () => {
    for (const value of ["production", "$NODE_ENV", "${NODE_ENV}"]) expect(compareEnv(envCtx([{ name: "NODE_ENV", value, line: 3 }])), value).toEqual([]);
  });

  it("any other NODE_ENV is carried over", () => {
    expect(compareEnv(envCtx([{ name: "NODE_ENV", value: "development", line: 3 }]))).toEqual([carry("NODE_ENV", "development")]);
    expect(compareEnv(envCtx([{ name: "NODE_ENV", value: "production-eu", line: 3 }]))).toEqual([carry("NODE_ENV", "production-eu")]);
    // Another variable's value is one only the build knew.
    expect(compareEnv(envCtx([{ name: "NODE_ENV", value: "$NODE_ENV_X", line: 4 }]))).toEqual([
      { aspect: "env", kind: "step", line: 4, text: "add `NODE_ENV` under env in service.yaml with the value the build gave it (ENV NODE_ENV=$NODE_ENV_X)" },
    ]);
    expect(compareEnv(envCtx([{ name: "NODE_ENV", value: "x$NODE_ENV", line: 4 }]))).toEqual([
      { aspect: "env", kind: "step", line: 4, text: "add `NODE_ENV` under env in service.yaml with the value the build gave it (ENV NODE_ENV=x$NODE_ENV)" },
    ]);
  });

  it("a secret of service.yaml, or the same value in its env, needs nothing", () => {
    expect(compareEnv(envCtx([{ name: "API_KEY", value: "k", line: 3 }], { secrets: { API_KEY: { name: "api-key" } } }))).toEqual([]);
    expect(compareEnv(envCtx([{ name: "MODE", value: "web", line: 3 }], { env: { MODE: "web" } }))).toEqual([]);
  });

  it("a different value in service.yaml's env is a note that it is overridden", () => {
    expect(compareEnv(envCtx([{ name: "MODE", value: "web", line: 5 }], { env: { MODE: "batch" } }))).toEqual([
      { aspect: "env", kind: "note", line: 5, text: 'ENV MODE=web is overridden by service.yaml\'s env ("batch") already' },
    ]);
  });

  it("a value from a build arg is a step to give it by hand; a literal value is carried over as written", () => {
    expect(compareEnv(envCtx([{ name: "VERSION", value: "${APP_VERSION}", line: 6 }]))).toEqual([
      { aspect: "env", kind: "step", line: 6, text: "add `VERSION` under env in service.yaml with the value the build gave it (ENV VERSION=${APP_VERSION})" },
    ]);
    // A lone dollar names no variable.
    expect(compareEnv(envCtx([{ name: "PRICE", value: "5 $", line: 3 }]))).toEqual([carry("PRICE", "5 $")]);
    expect(compareEnv(envCtx([{ name: "MODE", value: "web", line: 3 }], { env: { OTHER: "x" }, secrets: { TOKEN: {} } }))).toEqual([carry("MODE", "web")]);
  });

  it("says which build arg gave a value, only when it came from one", () => {
    expect(compareEnv(envCtx([{ name: "MODE", value: "batch", source: "${MODE:-batch}", line: 3 }]))).toEqual([carry("MODE", "batch", 3, " (ENV MODE=${MODE:-batch}, with the build arg's value)")]);
    expect(compareEnv(envCtx([{ name: "MODE", value: "batch", source: "batch", line: 3 }]))).toEqual([carry("MODE", "batch")]);
  });

  it("each ENV line is judged on its own, in order", () => {
    expect(compareEnv(envCtx([{ name: "PATH", value: "/x", line: 2 }, { name: "A", value: "1", line: 3 }, { name: "B", value: "2", line: 4 }]))).toEqual([carry("A", "1", 3), carry("B", "2", 4)]);
  });
});

describe("USER and HEALTHCHECK", () => {
  const root = {
    aspect: "user",
    kind: "step",
    line: 7,
    text: "make the app run without root (the Dockerfile says USER root): buildpacks images run as the non-root cnb user, which can write only to /tmp and the app folder and cannot bind ports below 1024",
  };

  it.each(["root", "0", "root:root", "0:0", "root:0", "0:root"])("USER %s is a step to run without root", (user) => {
    expect(compareUser(userCtx(user))).toEqual([root]);
  });

  it.each(["app", "rooty", "10", "0:1", "root:app", "1000:0", "xroot"])("USER %s needs nothing", (user) => {
    expect(compareUser(userCtx(user))).toEqual([]);
  });

  it("no USER and no HEALTHCHECK need nothing; a HEALTHCHECK is a note at its line", () => {
    expect(compareUser(userCtx(null))).toEqual([]);
    expect(compareUser(userCtx(null, 9))).toEqual([
      { aspect: "launch", kind: "note", line: 9, text: "HEALTHCHECK is ignored by Cloud Run and GKE with or without the Dockerfile; use startupProbe / livenessProbe in service.yaml" },
    ]);
    expect(compareUser(userCtx("root", 9)).map((c) => c.aspect)).toEqual(["user", "launch"]);
  });
});
