// Does the builder offer the runtime version an app asks for? Data lives in versions.ts.

import * as semver from "semver";
import { GOOGLE_OFFERED, type GoogleStack, type VersionedLanguage } from "./versions";

/** Turns what people write (PEP 440-ish "3.12.*", ">=3.11,<3.13", "v20", "lts") into a node-semver range, or null. */
export function toRange(requested: string): string | null {
  let r = requested.trim().replace(/^v(?=\d)/, "");
  r = r.replace(/,\s*/g, " ").replace(/==/g, "=").replace(/~=/g, ">=");
  const valid = semver.validRange(r, { loose: true });
  return valid === null ? null : r;
}

/** Offered lines (e.g. "3.12", "22") that satisfy the requested version, newest first. */
export function offeredMatches(language: VersionedLanguage, requested: string, stack: GoogleStack): string[] | null {
  const range = toRange(requested);
  if (range === null) return null;
  const lines = GOOGLE_OFFERED[stack][language];
  return lines.filter((line) => semver.intersects(range, lineRange(line), { loose: true })).reverse();
}

function lineRange(line: string): string {
  // "1" (Go 1.x) and "22" are majors; "3.12" is a minor line.
  return line.includes(".") ? `${line}.x` : `${line}.x.x`;
}

export function offeredList(language: VersionedLanguage, stack: GoogleStack): string {
  // A line without a dot is a major ("1" for Go 1.x, "22" for Node.js 22): "1.x" says so, a bare "1" reads as a version.
  return GOOGLE_OFFERED[stack][language].map((line) => (line.includes(".") ? line : `${line}.x`)).join(", ");
}

/** Lowest version the range admits, as "major.minor" / "major", for comparisons. */
export function lowestVersion(requested: string): semver.SemVer | null {
  const range = toRange(requested);
  if (range === null) return null;
  try {
    return semver.minVersion(range, { loose: true });
  } catch {
    return null;
  }
}
