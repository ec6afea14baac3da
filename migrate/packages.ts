// System packages a Dockerfile installs, sorted by what buildpacks can do about them. Buildpacks install no
// OS packages: the builder's build image and run image are all there is (a custom stack image otherwise).

/** Needed only while building, and already in the builder's build image (compilers, fetch tools). */
const BUILD_TOOLS = new Set([
  "build-essential", "build-base", "gcc", "g++", "make", "cmake", "pkg-config", "pkgconf", "musl-dev", "libc-dev", "libc6-dev", "linux-headers",
  "git", "curl", "wget", "ca-certificates", "unzip", "xz-utils", "gnupg", "gnupg2", "apt-transport-https", "software-properties-common",
  // Alpine's glibc shims: the builder's Ubuntu images have glibc.
  "libc6-compat", "gcompat",
]);

/** Harmless at run time: in the run image already, or only useful inside a hand-made image (an init, a shell). */
const RUNTIME_HARMLESS = new Set([
  "ca-certificates", "tzdata", "tini", "dumb-init", "bash", "coreutils", "procps", "curl", "wget",
  // Alpine's glibc shims and user tools: an Ubuntu run image has glibc, and the launcher runs as its own user.
  "libc6-compat", "gcompat", "shadow", "shadow-utils", "su-exec", "gosu", "sudo", "locales",
]);

/** A way out that avoids the package altogether, where a common one exists. */
const ALTERNATIVES: Record<string, string> = {
  "libpq-dev": "psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither",
  libpq5: "psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither",
  "postgresql-dev": "psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither",
  "default-libmysqlclient-dev": "PyMySQL, a pure-Python driver, needs neither",
  "libmysqlclient-dev": "PyMySQL, a pure-Python driver, needs neither",
};

/** A language runtime or its package manager from the OS: the builder installs its own (its runtime buildpacks). */
const LANGUAGE_RUNTIME = /^(python[\d.]*(-(pip|dev|venv|distutils|setuptools|wheel))?|py3-pip|nodejs|npm|yarn|openjdk-?\d*(-jre|-jdk)?(-headless)?|java-[\d.]+-openjdk(-devel|-headless)?|default-jre(-headless)?|default-jdk(-headless)?|golang(-go)?|go|ruby(-dev|-full)?|php[\d.]*(-cli|-fpm)?|dotnet-(sdk|runtime)-[\d.]+|maven|gradle)$/;

export type PackageClass = "build-tool" | "harmless" | "language-runtime" | "needs-image";

/** `inImage`: installed in the stage that becomes the image (or one it starts from), not in a build stage. */
export function classifyPackage(name: string, inImage: boolean): PackageClass {
  const n = name.toLowerCase();
  if (LANGUAGE_RUNTIME.test(n)) return "language-runtime";
  if (inImage && RUNTIME_HARMLESS.has(n)) return "harmless";
  if (BUILD_TOOLS.has(n)) return "build-tool";
  return "needs-image";
}

export function alternativeFor(name: string): string | undefined {
  return ALTERNATIVES[name.toLowerCase()];
}
