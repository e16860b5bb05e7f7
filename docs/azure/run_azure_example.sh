#!/usr/bin/env bash
# CTest `docs_azure`: docs/azure.md's example.  Checks that the page shows
# docs/azure/sas_example.c exactly (its first ```c block) and the program's
# output exactly (its first ```text block), then that a bad connection
# string fails with the message naming the key.  No network.
#   usage: run_azure_example.sh SAS_EXAMPLE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=${1:?usage: run_azure_example.sh SAS_EXAMPLE}
page=$here/../azure.md
block() { awk -v lang="$1" '$0 == "```" lang { on = 1; next } on && /^```$/ { exit } on' "$page"; }
if ! diff -u "$here/sas_example.c" <(block c); then
    echo "FAILED: $page does not show $here/sas_example.c as it is (diff above)" >&2
    exit 1
fi
if ! diff -u <(block text) <(timeout 10 "$program"); then
    echo "FAILED: the program's output is not what $page shows (diff above)" >&2
    exit 1
fi
rc=0
err=$(timeout 10 "$program" "Endpoint=sb://ns/;SharedAccessKeyName=n" 2>&1 >/dev/null) || rc=$?
want="connection string: key 'SharedAccessKeyName' is given without 'SharedAccessKey'"
if [[ $rc -ne 1 || $err != "$want" ]]; then
    echo "FAILED: a bad connection string gave exit $rc and '$err', not 1 and '$want'" >&2
    exit 1
fi
echo "docs_azure: ok"
