// How migrate reads each command of a RUN line (run-steps.ts): what it installs, builds or checks, which decides
// the step the user is told to take. Every expectation is written out by hand.
import { describe, expect, it } from "vitest";
import { classifyRuns, type RunCommand } from "../../migrate/run-steps";

const all = (text: string): RunCommand[] => classifyRuns([{ stage: 2, line: 9, text }]);
const one = (text: string): RunCommand => {
  const r = all(text);
  expect(r, text).toHaveLength(1);
  return r[0]!;
};
const kind = (text: string) => one(text).kind;

describe("a RUN command's whole reading", () => {
  it("keeps the stage and line of its RUN, and the command's own text", () => {
    expect(all("apt-get update && apt-get install -y ffmpeg=7.0 && rm -rf /var/lib/apt/lists/*")).toEqual([
      { stage: 2, line: 9, text: "apt-get update", kind: "housekeeping" },
      { stage: 2, line: 9, text: "apt-get install -y ffmpeg=7.0", kind: "system-packages", packages: ["ffmpeg"], manager: "apt-get" },
      { stage: 2, line: 9, text: "rm -rf /var/lib/apt/lists/*", kind: "housekeeping" },
    ]);
  });

  it("sudo and exec in front are not the command", () => {
    expect(one("sudo apt-get install -y ffmpeg")).toEqual({ stage: 2, line: 9, text: "apt-get install -y ffmpeg", kind: "system-packages", packages: ["ffmpeg"], manager: "apt-get" });
    expect(one("exec ./build.sh")).toEqual({ stage: 2, line: 9, text: "./build.sh", kind: "custom" });
    expect(one("sudo")).toEqual({ stage: 2, line: 9, text: "", kind: "housekeeping" });
  });

  it("a command of only variable assignments does nothing", () => {
    expect(one("FOO=1")).toEqual({ stage: 2, line: 9, text: "", kind: "housekeeping" });
  });

  it("an unknown command is custom; a known one is known by its name wherever it lives", () => {
    expect(kind("./scripts/build-assets")).toBe("custom");
    expect(kind("/usr/bin/mkdir -p /app")).toBe("housekeeping");
    expect(one("/sbin/apk add ffmpeg")).toMatchObject({ kind: "system-packages", packages: ["ffmpeg"], manager: "apk" });
  });
});

describe("housekeeping commands", () => {
  it.each([
    "rm", "mkdir", "chown", "chmod", "chgrp", "useradd", "adduser", "addgroup", "groupadd", "usermod", "echo", "printf", "ln", "true", "false", ":",
    "cd", "export", "set", "cp", "mv", "touch", "ls", "cat", "test", "[", "find", "update-ca-certificates", "ldconfig", "locale-gen", "which", "command",
    "id", "whoami", "env", "sleep",
  ])("%s changes nothing buildpacks need told", (cmd) => {
    expect(kind(`${cmd} x`)).toBe("housekeeping");
  });
});

describe("OS package managers", () => {
  it.each([
    ["apt-get install -y a b", ["a", "b"], "apt-get"],
    ["apt install a", ["a"], "apt-get"],
    ["aptitude install a", ["a"], "apt-get"],
    ["apt-get -y install a", ["a"], "apt-get"],
    ["apk add --no-cache a", ["a"], "apk"],
    ["yum install -y a", ["a"], "yum"],
    ["dnf install a", ["a"], "dnf"],
    ["microdnf install a", ["a"], "microdnf"],
    ["zypper install a", ["a"], "zypper"],
    ["zypper in a", ["a"], "zypper"],
    ["apk add a=1.2-r0 b>1 c<2 d~3 $EXTRA", ["a", "b", "c", "d"], "apk"],
  ])("%s installs %j", (text, packages, manager) => {
    expect(one(text)).toMatchObject({ kind: "system-packages", packages, manager });
  });

  it.each(["apt-get update", "apt-get remove a", "apk del a", "apk update", "yum clean all", "zypper refresh", "apt-get -y", "dnf upgrade"])("%s installs nothing", (text) => {
    expect(one(text)).toEqual({ stage: 2, line: 9, text, kind: "housekeeping" });
  });

  // An option that takes a separate value: the value is neither the verb nor a package.
  it.each([
    ...["-o", "--option", "-t", "--target-release", "-c", "--config-file"].flatMap((f) => [["apt-get", f, "install"], ["apt", f, "install"]]),
    ...["-o", "-t", "--target-release"].map((f) => ["aptitude", f, "install"]),
    ...["--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"].map((f) => ["apk", f, "add"]),
    ...["--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "-c", "--config", "--exclude", "-x"].flatMap((f) => [["yum", f, "install"], ["dnf", f, "install"]]),
    ...["--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "--config"].map((f) => ["microdnf", f, "install"]),
    ...["--root", "-R", "--repo", "-r"].map((f) => ["zypper", f, "install"]),
  ])("%s %s VALUE: the value is skipped before and after the verb", (mgr, flag, verb) => {
    expect(one(`${mgr} ${flag} value ${verb} pkg`)).toMatchObject({ kind: "system-packages", packages: ["pkg"] });
    expect(one(`${mgr} ${verb} ${flag} value pkg`)).toMatchObject({ kind: "system-packages", packages: ["pkg"] });
  });

  it("an option without a value of its own is skipped alone", () => {
    expect(one("apt-get install --no-install-recommends a")).toMatchObject({ packages: ["a"] });
    expect(one("apt-get install -y")).toMatchObject({ kind: "system-packages", packages: [] });
  });
});

describe("checks of the code", () => {
  it.each([
    "flake8", "pylint", "black", "isort", "mypy", "ruff", "pytest", "tox", "nox", "bandit", "coverage", "pre-commit", "pyright", "pycodestyle", "pydocstyle", "autopep8", "yapf",
    "eslint", "prettier", "jest", "mocha", "vitest", "tsc-check", "golangci-lint", "staticcheck", "shellcheck", "hadolint", "rubocop", "rspec", "phpunit", "phpstan",
  ])("%s is a check", (tool) => {
    expect(kind(`${tool} .`)).toBe("check");
  });

  it("run through python -m or npx, a check tool is a check too", () => {
    expect(kind("python -m pytest")).toBe("check");
    expect(kind("python3 -m mypy src")).toBe("check");
    expect(kind("python3.12 -m ruff check")).toBe("check");
    expect(kind("npx eslint .")).toBe("check");
    expect(kind("npx tsc --noEmit")).toBe("check");
    expect(kind("npx tsc")).toBe("custom");
    expect(kind("npx webpack")).toBe("custom");
    expect(kind("python -m myapp.build")).toBe("custom");
    expect(kind("python -m")).toBe("custom");
    expect(kind("pythonx -m pytest")).toBe("custom");
    expect(kind("python -c pytest")).toBe("custom");
  });
});

describe("pip", () => {
  it("installs by name are python packages, whichever way pip is started", () => {
    expect(one("pip install flask gunicorn==21.2")).toEqual({ stage: 2, line: 9, text: "pip install flask gunicorn==21.2", kind: "python-packages", packages: ["flask", "gunicorn==21.2"] });
    for (const start of ["pip3", "pip3.11", "/usr/local/bin/pip", "python -m pip", "python3 -m pip", "python3.12 -m pip3"]) {
      expect(one(`${start} install flask`), start).toMatchObject({ kind: "python-packages", packages: ["flask"] });
    }
  });

  it("pip under another name, or python -m of something else, is no pip", () => {
    expect(kind("pipx install flask")).toBe("custom");
    expect(kind("python -m pipx install flask")).toBe("custom");
    expect(kind("xpip install flask")).toBe("custom");
  });

  it("the dependency file, the project itself and built archives are dependencies", () => {
    for (const t of ["pip install -r requirements.txt", "pip install --requirement requirements.txt", "pip install --requirement=requirements.txt", "pip install .", "pip install -e .", "pip install /src", "pip install dist/app-1.0.whl", "pip install app-1.0.tar.gz", "pip install app.zip"]) {
      expect(kind(t), t).toBe("dependencies");
    }
    expect(kind("pip wheel -r requirements.txt")).toBe("dependencies");
    expect(kind("pip download flask")).toBe("dependencies");
  });

  it("a constraint file alone, no arguments, or other verbs install nothing", () => {
    for (const t of ["pip install -c constraints.txt", "pip install", "pip install --upgrade", "pip freeze", "pip", "pip install --requirements=x"]) expect(kind(t), t).toBe("housekeeping");
  });

  it("names beside a requirements file are still named packages", () => {
    expect(one("pip install -r requirements.txt flask")).toMatchObject({ kind: "python-packages", packages: ["flask"] });
  });

  it.each(["-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "--prefix", "--target", "-t", "--root", "-f", "--find-links", "--trusted-host", "--cache-dir", "--platform", "--python-version", "--only-binary", "--no-binary", "--src"])(
    "the value of %s is no package",
    (flag) => {
      expect(one(`pip install ${flag} value flask`)).toMatchObject({ kind: "python-packages", packages: ["flask"] });
    },
  );

  it.each(["pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "pdm", "pip-tools", "virtualenv", "Pip==23.1", "setuptools>=70", "wheel~=0.4", "uv!=0.1", "poetry<2"])(
    "%s is the tooling the builder brings, not a package to list",
    (tool) => {
      expect(one(`pip install --upgrade ${tool} flask`)).toMatchObject({ kind: "python-packages", packages: ["flask"] });
      expect(kind(`pip install ${tool}`)).toBe("housekeeping");
    },
  );
});

describe("other Python, Ruby, PHP and Java tools", () => {
  it.each([
    ["poetry install", "dependencies"], ["poetry sync", "dependencies"], ["poetry build", "housekeeping"],
    ["pipenv install --deploy", "dependencies"], ["pipenv sync", "dependencies"], ["pipenv lock", "housekeeping"],
    ["pdm install", "dependencies"], ["pdm sync", "dependencies"], ["pdm lock", "housekeeping"],
    ["uv sync", "dependencies"], ["uv pip sync requirements.txt", "dependencies"], ["uv pip install flask", "dependencies"], ["uv pip list", "housekeeping"], ["uv venv", "housekeeping"], ["uv", "housekeeping"],
    ["corepack enable", "housekeeping"],
    ["bundle install", "dependencies"], ["bundle exec rake assets:precompile", "custom"],
    ["conda install numpy", "dependencies"], ["conda create -n app", "dependencies"], ["conda env create", "dependencies"], ["conda update conda", "dependencies"], ["conda clean -a", "housekeeping"],
    ["mamba install numpy", "dependencies"], ["micromamba install numpy", "dependencies"], ["micromamba clean", "housekeeping"],
    ["composer install", "dependencies"], ["composer dump-autoload", "custom"],
    ["mvn -B package", "dependencies"], ["mvn dependency:go-offline", "dependencies"], ["mvn test", "check"], ["./mvnw verify", "check"], ["gradle check", "check"], ["./gradlew test", "check"],
    ["sbt test", "check"], ["mvn spotless:check checkstyle:check", "check"], ["mvn test package", "dependencies"], ["mvn -v", "dependencies"], ["mvn -q", "dependencies"], ["mvn tests", "dependencies"], ["mvn pretest", "dependencies"],
    ["python -m compileall .", "housekeeping"], ["python3 -m venv /venv", "housekeeping"], ["virtualenv /venv", "housekeeping"],
  ])("%s is %s", (text, expected) => {
    expect(kind(text)).toBe(expected);
  });
});

describe("npm, yarn and pnpm", () => {
  it.each([
    ["npm ci", "dependencies"], ["npm install", "dependencies"], ["npm i", "dependencies"], ["npm install --omit=dev", "dependencies"],
    ["npm test", "check"], ["npm t", "check"], ["npm prune --production", "housekeeping"], ["npm cache clean --force", "housekeeping"],
    ["yarn", "dependencies"], ["yarn install --frozen-lockfile", "dependencies"], ["yarn --frozen-lockfile", "dependencies"], ["pnpm i", "dependencies"], ["pnpm fetch", "dependencies"],
    ["yarn test", "check"], ["yarn lint", "check"], ["pnpm typecheck", "check"],
    ["yarn cache clean", "housekeeping"], ["yarn config set x y", "housekeeping"], ["pnpm set x", "housekeeping"], ["pnpm prune", "housekeeping"],
  ])("%s is %s", (text, expected) => {
    expect(kind(text)).toBe(expected);
  });

  it("installs by name are node packages, options aside", () => {
    expect(one("npm install -g typescript @nestjs/cli@10")).toMatchObject({ kind: "node-packages", packages: ["typescript", "@nestjs/cli@10"] });
    expect(one("npm i sharp")).toMatchObject({ kind: "node-packages", packages: ["sharp"] });
    expect(one("npm add sharp")).toMatchObject({ kind: "node-packages", packages: ["sharp"] });
    expect(one("yarn add -D sharp")).toMatchObject({ kind: "node-packages", packages: ["sharp"] });
    expect(one("pnpm add sharp")).toMatchObject({ kind: "node-packages", packages: ["sharp"] });
    expect(one("yarn global add -W serve")).toMatchObject({ kind: "node-packages", packages: ["serve"] });
    expect(one("yarn global list")).toMatchObject({ kind: "node-script", script: "global" });
  });

  it("a script run is the script, a check script a check", () => {
    expect(one("npm run build")).toMatchObject({ kind: "node-script", script: "build" });
    expect(one("npm run-script build")).toMatchObject({ kind: "node-script", script: "build" });
    expect(one("npm run")).toMatchObject({ kind: "node-script", script: "" });
    expect(one("npm start")).toMatchObject({ kind: "node-script", script: "start" });
    expect(one("yarn run build")).toMatchObject({ kind: "node-script", script: "build" });
    expect(one("yarn run")).toMatchObject({ kind: "node-script", script: "" });
    expect(one("pnpm build")).toMatchObject({ kind: "node-script", script: "build" });
    expect(kind("yarn run lint")).toBe("check");
    expect(one("npm exec foo")).toEqual({ stage: 2, line: 9, text: "npm exec foo", kind: "housekeeping" });
  });

  it.each(["lint", "lint:fix", "test", "test:unit", "format", "format:check", "check", "typecheck", "type-check", "prettier", "eslint"])("npm run %s is a check", (script) => {
    expect(kind(`npm run ${script}`)).toBe("check");
    expect(kind(`pnpm ${script}`)).toBe("check");
  });

  it.each(["linter", "prelint", "build:test", "tests", "checks", "xeslint"])("npm run %s is a script to run", (script) => {
    expect(one(`npm run ${script}`)).toMatchObject({ kind: "node-script", script });
  });
});

describe("go", () => {
  it("builds: the output, the packages and the linker flags", () => {
    expect(one("go build -o /app/server -ldflags '-s -w' ./cmd/server")).toEqual({
      stage: 2,
      line: 9,
      text: "go build -o /app/server -ldflags -s -w ./cmd/server",
      kind: "go-build",
      go: { output: "/app/server", packages: ["./cmd/server"], ldflags: "-s -w" },
    });
    expect(one("go build")).toMatchObject({ go: { output: null, packages: ["."], ldflags: null } });
    expect(one("go build -v -o=bin/app ./a ./b")).toMatchObject({ go: { output: "bin/app", packages: ["./a", "./b"], ldflags: null } });
  });

  it("go install puts the binary in GOBIN, else /go/bin, under the package's last element", () => {
    expect(one("go install ./cmd/server")).toMatchObject({ kind: "go-build", go: { output: "/go/bin/server", packages: ["./cmd/server"] } });
    expect(one("go install ./cmd/tool/...")).toMatchObject({ go: { output: "/go/bin/tool" } });
    expect(one("GOBIN=/usr/local/bin go install ./cmd/x")).toMatchObject({ go: { output: "/usr/local/bin/x" } });
    expect(one("go install")).toMatchObject({ go: { output: "/go/bin/.", packages: ["."] } });
    expect(one("go install -o /out/a ./cmd/b")).toMatchObject({ go: { output: "/out/a" } });
  });

  it.each(["-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-p", "-installsuffix", "-pkgdir", "-overlay", "-pgo", "-modfile", "-C"])("the value of %s is no package", (flag) => {
    expect(one(`go build ${flag} value ./cmd/a`)).toMatchObject({ go: { packages: ["./cmd/a"] } });
  });

  it.each([
    ["go mod download", "dependencies"], ["go test ./...", "check"], ["go vet ./...", "check"], ["go env", "housekeeping"], ["go version", "housekeeping"], ["go generate ./...", "custom"], ["go run ./tools", "custom"],
  ])("%s is %s", (text, expected) => {
    expect(kind(text)).toBe(expected);
  });
});

describe("edges of the rules, just inside and just outside", () => {
  it("only python itself runs a check module, and only with -m", () => {
    expect(kind("mypython -m pytest")).toBe("custom");
    expect(kind("which pytest")).toBe("housekeeping");
    expect(kind("npx webpack --noEmit")).toBe("custom");
  });

  it("a check tool run through yarn or pnpm is a check, not a package.json script to run", () => {
    expect(kind("yarn jest --ci")).toBe("check");
    expect(kind("pnpm eslint .")).toBe("check");
    expect(kind("yarn tsc --noEmit")).toBe("check");
    expect(kind("pnpm tsc --noEmit")).toBe("check");
    expect(one("yarn tsc")).toMatchObject({ kind: "node-script", script: "tsc" });
  });

  it("uv installs only through sync or uv pip", () => {
    expect(kind("uv tool install ruff")).toBe("housekeeping");
    expect(kind("uv pip compile requirements.in")).toBe("housekeeping");
  });

  it("options among Maven and Gradle goals do not hide a check run", () => {
    expect(kind("mvn -B test")).toBe("check");
    expect(kind("./gradlew --no-daemon check")).toBe("check");
  });

  it("only python itself with -m makes a virtualenv or bytecode", () => {
    expect(kind("python3.12 -m venv /venv")).toBe("housekeeping");
    expect(kind("python3.12 -m compileall -q .")).toBe("housekeeping");
    for (const t of ["mypython -m venv /venv", "python3x -m venv /venv", "python3.x -m venv /venv", "python -u venv"]) expect(kind(t), t).toBe("custom");
  });

  it("only pip under python -m is pip", () => {
    for (const t of ["mypython -m pip install flask", "python3x -m pip install flask", "python -u pip install flask", "python -m notpip install flask"]) expect(kind(t), t).toBe("custom");
    expect(one("python3.11 -m pip3 install flask")).toMatchObject({ kind: "python-packages", packages: ["flask"] });
  });

  it("pip's other verbs install nothing; a local path is the project, not a package", () => {
    expect(kind("pip uninstall -y flask")).toBe("housekeeping");
    expect(kind("pip install ./libs/shared")).toBe("dependencies");
  });
});
