// The reader of `stdout: "count"` runs (test/harness/splunkd.ts, startEventCounter in
// eventStream.ts): a process of its own that reads the input's stdout pipe and counts
// `</event>`, then prints the count and the bytes read as one JSON line when the pipe closes.
// splunkd reads a modular input's stdout on threads of its own; read in the harness's process
// instead, the pipe waited whenever the simulator held that process's event loop (benchmarks run
// both in one process), and with it every write of the input. Escaping keeps `<` out of event
// text, so every `</event>` ends an event.
"use strict";

const MARK = Buffer.from("</event>");

/** A counter fed chunk by chunk; a mark may straddle two chunks. */
function createCounter() {
  let count = 0;
  let bytes = 0;
  let tail = Buffer.alloc(0);
  return {
    write(chunk) {
      bytes += chunk.length;
      const text = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      let next = 0;
      for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, next)) {
        count++;
        next = at + MARK.length;
      }
      tail = Buffer.from(text.subarray(Math.max(next, text.length - (MARK.length - 1))));
    },
    result: () => ({ count, bytes }),
  };
}

module.exports = { createCounter };

if (require.main === module) {
  const counter = createCounter();
  process.stdin.on("data", (chunk) => counter.write(chunk));
  process.stdin.on("end", () => process.stdout.write(JSON.stringify(counter.result()) + "\n"));
}
