#!/bin/sh
# Stands in for a VS Code executable for @vscode/test-electron where VS Code cannot be downloaded:
# runs the extension's test suite in code-server's VS Code with the same arguments.
exec node "$(dirname "$0")/../out/test/vscode/runTests.js" "$@"
