// The half of ./module-provider.ts that runs in Pulumi's dynamic-provider process, where no TypeScript loader exists
// yet: so it is JavaScript. The reference that travels in every resource finds the Gantry checkout and this file;
// what can stay here stays out of that text, which the engine and the SDK encode several times per resource.
"use strict";

/**
 * Loads the provider module `file` with the checkout's own tsx, scoped (it compiles that module and its imports
 * without hooking other requires), and returns the function that calls one method of its `name` export.
 */
module.exports = function loadModuleProvider(file, name, relative) {
  // tsx's compile cache is off while it loads: it would live in the agent's shared temp folder, written by a pull
  // request's provider and read by a trusted one's.
  const setting = process.env.TSX_DISABLE_CACHE;
  process.env.TSX_DISABLE_CACHE = "1";
  let tsx;
  try {
    tsx = require("node:module").createRequire(file)("tsx/cjs/api");
  } finally {
    if (setting === undefined) delete process.env.TSX_DISABLE_CACHE;
    else process.env.TSX_DISABLE_CACHE = setting;
  }
  const provider = tsx.require(file, file)[name];
  if (!provider || typeof provider !== "object") throw new Error(`${file} exports no provider named ${name}`);
  return (method, args) => {
    const fn = provider[method];
    if (typeof fn !== "function") throw new Error(`${name} in ${relative} has no ${method}() any more`);
    return fn.apply(provider, args);
  };
};
