#!/bin/sh
# The standalone collector (docs/standalone-collector.md): collects like the modular input and
# sends to Splunk's HTTP Event Collector, on any host with Node.js 20.18.1 or later.
#   defender_o365_collector.sh --config <file.json> [--once | --check]
# It runs the app's bundle through the input's launcher, so both find Node the same way
# (DEFENDER_O365_NODE, the bundled runtime, $SPLUNK_HOME/bin/node, then PATH).
case "$0" in */*) BIN_DIR=${0%/*} ;; *) BIN_DIR=. ;; esac
exec "$BIN_DIR/defender_o365_activity.sh" collector "$@"
