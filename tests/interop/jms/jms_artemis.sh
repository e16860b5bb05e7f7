#!/usr/bin/env bash
# Qpid JMS (JmsCheck) as a client of the Artemis fixture
# (tests/interop/artemis): the same cells as against famqp-broker; Artemis
# applies selectors and has transactions, so there the selector must be
# applied and a transacted session must commit.
# Usage: jms_artemis.sh ARTEMIS_DIR CLASSES_DIR LIB_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../artemis/lib.sh"
art_load "$1"
jms=(java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$2:$3/*" JmsCheck)
uri="amqp://127.0.0.1:$art_port?jms.username=$art_user&jms.password=$art_password"
"${jms[@]}" "$uri" jms-queue queue 200 # persistent sends: ~100/s through its journal
"${jms[@]}" "$uri" jms-types types
"${jms[@]}" "$uri" jms-props properties
out=$("${jms[@]}" "$uri" jms-selector selector)
echo "$out"
[[ $out == "selector: applied"* ]] || { echo "FAILED: Artemis should apply the selector" >&2; exit 1; }
out=$("${jms[@]}" "$uri" jms-tx transacted)
echo "$out"
[[ $out == "transacted: works"* ]] || { echo "FAILED: Artemis should commit a transacted send" >&2; exit 1; }
