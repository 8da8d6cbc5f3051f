// Test-only preload (NODE_OPTIONS=--require <this file>) that makes a disk fill up under one
// folder, for the state-write tests: the packaged launcher and bundle stay unchanged. Set
// DEFENDER_TEST_DISK_FAULT to JSON {"dir": "<folder>", "afterBytes": N, "mode": "enospc"|"short"}.
// After N bytes written to files opened under the folder, `enospc` writes what fits and then
// throws ENOSPC (what a full disk does); `short` writes what fits and then reports 0 bytes
// written without an error (a short write). Writes elsewhere (stdout, stderr) are untouched.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload for node --require */
const fs = require("node:fs");
const path = require("node:path");

const spec = process.env.DEFENDER_TEST_DISK_FAULT ? JSON.parse(process.env.DEFENDER_TEST_DISK_FAULT) : undefined;
if (spec) {
  const dir = path.resolve(spec.dir) + path.sep;
  const watched = new Set();
  let left = spec.afterBytes;
  const openSync = fs.openSync;
  const writeSync = fs.writeSync;
  const closeSync = fs.closeSync;
  fs.openSync = function (file, ...rest) {
    const fd = openSync.call(fs, file, ...rest);
    if (path.resolve(String(file)).startsWith(dir)) watched.add(fd);
    return fd;
  };
  fs.closeSync = function (fd) {
    watched.delete(fd);
    return closeSync.call(fs, fd);
  };
  fs.writeSync = function (fd, data, ...rest) {
    if (!watched.has(fd)) return writeSync.call(fs, fd, data, ...rest);
    const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // (fd, buffer, offset, length) or (fd, string, position): only the first form has an offset.
    const offset = typeof data !== "string" && typeof rest[0] === "number" ? rest[0] : 0;
    const length = typeof data !== "string" && typeof rest[1] === "number" ? rest[1] : bytes.length - offset;
    const fits = Math.max(0, Math.min(left, length));
    if (fits === 0 && spec.mode !== "short") {
      const err = new Error("ENOSPC: no space left on device, write");
      err.code = "ENOSPC";
      err.errno = -28;
      err.syscall = "write";
      throw err;
    }
    left -= fits;
    return fits === 0 ? 0 : writeSync.call(fs, fd, bytes, offset, fits);
  };
}
