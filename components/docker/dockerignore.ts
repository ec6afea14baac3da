import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A build context's .dockerignore as gitignore-style patterns (what the source fingerprint and the `ignore`
 * package take). Docker anchors every pattern at the context root, where gitignore would match a bare name at
 * any depth, so each pattern is anchored with a leading "/". Docker's one extra power, re-including a file
 * under an excluded folder, is lost; the fingerprint then sees fewer files than Docker sends, never more.
 */
export function dockerignorePatterns(context: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(context, ".dockerignore"), "utf8");
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map(toGitignore)
    .filter((p): p is string => p !== null);
}

function toGitignore(line: string): string | null {
  const negated = line.startsWith("!");
  let p = (negated ? line.slice(1) : line).trim();
  // Docker cleans each pattern like a path (filepath.Clean), and a leading "/" or "./" means the root anyway.
  p = path.posix.normalize(p).replace(/^(\.\/)+/, "").replace(/^\/+/, "");
  if (p === "" || p === ".") return null;
  const anchored = p.startsWith("**") ? p : `/${p}`;
  return negated ? `!${anchored}` : anchored;
}
