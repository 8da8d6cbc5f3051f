#!/bin/sh
# splunkd runs this for the defender_o365_activity modular input (--scheme, --validate-arguments,
# or no argument with the input definition on stdin). It finds a Node.js runtime new enough for the
# bundle (>= 20.18.1, undici 7's floor) in the order README.md gives ("Node.js on the collecting host"), then execs it so that
# splunkd's signals reach Node directly:
#   1. $DEFENDER_O365_NODE            (set it in $SPLUNK_HOME/etc/splunk-launch.conf)
#   2. <app>/linux_x86_64/bin/node    (the archive built with `npm run package -- --with-node`)
#   3. $SPLUNK_HOME/bin/node          (Splunk <= 10.1 shipped one; used only if new enough)
#   4. node on PATH
# If none fits, one ERROR line (splunkd.log) lists what was found and the fix; exit 1.
# Node runs with --liftoff-only: V8 keeps undici's HTTP parser (WebAssembly) on its baseline
# compiler; optimizing it took about 30 MB for a moment in every run, for no measurable speed.
# --max-semi-space-size=8 caps V8's young generation at half its default, and one malloc arena
# (MALLOC_ARENA_MAX, glibc) keeps V8's and libuv's threads from each holding freed memory in an
# arena of their own: together 15-20 MB less peak over a long drain at no measurable CPU cost
# (docs/performance.md, docs/reference/node-memory.md). No --optimize-for-size: 55-65% more CPU.
# Shell built-ins only (no dirname): the launcher must work whatever PATH splunkd passes.
case "$0" in */*) BIN_DIR=${0%/*} ;; *) BIN_DIR=. ;; esac
BIN_DIR=$(cd "$BIN_DIR" && pwd)
APP_DIR=${BIN_DIR%/*}
SCRIPT="$BIN_DIR/app/defender_o365_activity.js"
FOUND=""

# Prints "ok" when $1 --version reports >= 20.18.1, else the version (or "missing"/"not runnable").
check_node() {
  if [ ! -f "$1" ] || [ ! -x "$1" ]; then echo "missing"; return; fi
  version=$("$1" --version 2>/dev/null) || { echo "not runnable"; return; }
  rest=${version#v}
  major=${rest%%.*}; rest=${rest#*.}
  minor=${rest%%.*}; patch=${rest#*.}; patch=${patch%%[!0-9]*}
  case "$major$minor$patch" in ''|*[!0-9]*) echo "unreadable version '$version'"; return;; esac
  if [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && { [ "$minor" -gt 18 ] || { [ "$minor" -eq 18 ] && [ "$patch" -ge 1 ]; }; }; }; then
    echo "ok"
  else
    echo "$version"
  fi
}

# try <label> <path>: exec Node when it fits, otherwise remember what was found.
try_node() {
  label=$1; candidate=$2; shift 2
  result=$(check_node "$candidate")
  if [ "$result" = "ok" ]; then
    exec "$candidate" --liftoff-only --max-semi-space-size=8 "$SCRIPT" "$@"
  fi
  FOUND="$FOUND${FOUND:+, }$label $candidate ($result)"
}

# Splunk's LD_LIBRARY_PATH points at its own libraries, which break other programs
# (docs/reference/splunk-platform.md 1.1); keep it only for Splunk's own node.
SPLUNK_LD_LIBRARY_PATH=${LD_LIBRARY_PATH-}
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}; export MALLOC_ARENA_MAX
unset LD_LIBRARY_PATH

if [ -n "${DEFENDER_O365_NODE-}" ]; then
  try_node DEFENDER_O365_NODE "$DEFENDER_O365_NODE" "$@"
fi
try_node "bundled runtime" "$APP_DIR/linux_x86_64/bin/node" "$@"
if [ -n "${SPLUNK_HOME-}" ]; then
  if [ -n "$SPLUNK_LD_LIBRARY_PATH" ]; then LD_LIBRARY_PATH=$SPLUNK_LD_LIBRARY_PATH; export LD_LIBRARY_PATH; fi
  try_node "SPLUNK_HOME" "$SPLUNK_HOME/bin/node" "$@"
  unset LD_LIBRARY_PATH
fi
PATH_NODE=$(command -v node 2>/dev/null || true)
if [ -n "$PATH_NODE" ]; then
  try_node PATH "$PATH_NODE" "$@"
else
  FOUND="$FOUND${FOUND:+, }PATH (no node)"
fi

# The standalone collector runs through this launcher too (first argument "collector").
if [ "${1-}" = "collector" ]; then WHAT="the standalone collector (defender_o365_collector)"; else WHAT="the defender_o365_activity modular input"; fi
echo "ERROR No Node.js >= 20.18.1 found to run $WHAT. Found: $FOUND. Fix: install Node.js 20.18.1 or later and set DEFENDER_O365_NODE=/path/to/node in \$SPLUNK_HOME/etc/splunk-launch.conf (then restart Splunk), or install the app archive that bundles a Node.js runtime (defender_o365-<version>-linux_x86_64.tgz). cause=node_missing" >&2
exit 1
