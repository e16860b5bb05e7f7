#!/usr/bin/env bash
# CTest `docs_own_types`: the spec file shown in docs/own-types.md (its
# first ```xml block) is generated with famqp-gen after the standard specs,
# the functions the page names are declared, and the generated file
# compiles warning-free, and a program encoding and decoding the new type
# links against the shared library (which exports only its API and the
# generated code's ABI).  So the page's example cannot rot.
#   usage: check_own_types.sh FAMQP_GEN SPEC_DIR RUNTIME_INCLUDE_DIR CC LIBFLATAMQP [FLAGS]
# FLAGS: the sanitizer flags the library was built with (one word list).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gen=$1 specs=$2 include=$3 cc=$4 lib=$5
read -r -a flags <<<"${6:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^   ```xml$/ { on = 1; next } on && /^   ```$/ { exit } on { sub(/^   /, ""); print }' \
    "$here/../own-types.md" >"$tmp/example-orders.xml"
[ -s "$tmp/example-orders.xml" ] || { echo "FAILED: no xml block in docs/own-types.md" >&2; exit 1; }
mkdir "$tmp/out"
"$gen" --out "$tmp/out" "$specs/types.bare.xml" "$specs/transport.bare.xml" "$specs/messaging.bare.xml" \
    "$specs/security.bare.xml" "$specs/transactions.bare.xml" "$tmp/example-orders.xml"
for name in famqp_order_encode famqp_order_decode famqp_order_print FAMQP_ORDER_CODE; do
    grep -q "\\b$name\\b" "$tmp/out/famqp_spec.h" || { echo "FAILED: famqp_spec.h lacks $name" >&2; exit 1; }
done
"$cc" -std=c11 -Wall -Wextra -Werror "${flags[@]}" -I"$include" -I"$tmp/out" -c "$tmp/out/famqp_example_orders.c" -o "$tmp/orders.o"
cat >"$tmp/round_trip.c" <<'EOF'
#include "famqp_spec.h"
int main(void)
{
    famqp_order o = famqp_order_defaults, back;
    famqp_error err;
    uint8_t buf[64];
    o.present = FAMQP_ORDER_HAS_ID;
    o.id = famqp_string_of("A-1");
    size_t n = famqp_order_encode(buf, sizeof buf, &o);
    return n && famqp_order_decode(buf, n, &back, &err) == n && famqp_string_eq(back.id, "A-1") ? 0 : 1;
}
EOF
"$cc" -std=c11 -Wall -Wextra -Werror "${flags[@]}" -I"$include" -I"$tmp/out" "$tmp/round_trip.c" "$tmp/orders.o" \
    -L"$(dirname "$lib")" -lflatamqp -Wl,-rpath,"$(dirname "$lib")" -o "$tmp/round_trip"
"$tmp/round_trip" || { echo "FAILED: the order did not round-trip through the shared library" >&2; exit 1; }
echo "docs_own_types: ok"
