// Preloaded (NODE_OPTIONS=--import) by `npm run mutation`. @stryker-mutator/mocha-runner 9.x, the
// last line whose engines accept Node 20, requires mocha's CLI helpers by their old extensionless
// names (lib/cli/run-helpers); mocha 12 ships them as .cjs. This maps those names, nothing else.
import Module from "node:module";
import path from "node:path";

const original = Module._resolveFilename;
Module._resolveFilename = function resolveMochaCli(request, ...rest) {
  if (path.isAbsolute(request) && /[\\/]mocha[\\/]lib[\\/]cli[\\/][\w-]+$/.test(request)) {
    return original.call(this, `${request}.cjs`, ...rest);
  }
  return original.call(this, request, ...rest);
};
