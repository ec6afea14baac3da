#!/usr/bin/env node
// Entry point for `npx gantry`: loads the TypeScript CLI through tsx so no build step sits between `npm ci` and use.
require("tsx/cjs");
require("../cli/main.ts");
