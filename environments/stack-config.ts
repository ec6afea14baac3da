import * as fs from "node:fs";
import { isMap, parseDocument } from "yaml";
import { stackFile } from "../catalog/platform";

/*
 * Edits of Pulumi.<stack>.yaml that rollback and rollout commands make: a change a reviewer reads in a pull
 * request and `pulumi up` applies, so a rollback is a commit like any other. Comments, key order and the rest of
 * the file stay as they were; only the one key changes.
 */

export type ConfigPath = [`gantry:${string}`, ...string[]];

/**
 * Sets (or, with undefined, removes) one value under `config:`. Removing the last entry of a mapping removes the
 * mapping too, so `gantry unpin` of the only pin leaves no empty `gantry:pins: {}` behind.
 */
export function editStackConfig(projectDir: string, stack: string, keyPath: ConfigPath, value: unknown): string {
  const file = stackFile(projectDir, stack);
  if (!fs.existsSync(file)) throw new Error(`no stack config for "${stack}" (expected ${file})`);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  const full = ["config", ...keyPath];
  if (value === undefined) {
    doc.deleteIn(full);
    for (let n = full.length - 1; n > 1; n--) {
      const parent = doc.getIn(full.slice(0, n), true);
      if (isMap(parent) && parent.items.length === 0) doc.deleteIn(full.slice(0, n));
    }
  } else {
    doc.setIn(full, doc.createNode(value));
  }
  // As people write YAML by hand: [a, b] without padding, long values on one line.
  fs.writeFileSync(file, doc.toString({ flowCollectionPadding: false, lineWidth: 0 }));
  return file;
}
