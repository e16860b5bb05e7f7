#!/usr/bin/env bash
# go-amqp (famqp-go-check) as a client of the Artemis fixture
# (tests/interop/artemis): every cell of goamqp_cells.sh, which all pass
# there, including the two that show famqp-broker bugs.
# Usage: goamqp_artemis.sh ARTEMIS_DIR GO_CHECK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../artemis/lib.sh"
art_load "$1"
go_check=$2
url=$(art_url)
"$go_check" "$url" /queue/go-alo roundtrip 10000 at-least-once
"$go_check" "$url" /queue/go-amo roundtrip 10000 at-most-once
"$go_check" "$url" /queue/go-large large $((4 * 1024 * 1024))
"$go_check" "$url" /queue/go-outcomes outcomes
"$go_check" "$url" /queue/go-settle settle-modes
