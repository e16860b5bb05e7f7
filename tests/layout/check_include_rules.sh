#!/usr/bin/env bash
# The runtime's layering, checked from the sources: every #include "..." (and
# #include <famqp...>) in runtime/, runtime/include/famqp/ and generated/ must
# name a header of the including file's own layer or of a layer below it.
#
#   usage: check_include_rules.sh ROOT      (ROOT: a tree with runtime/)
#
# Layers, bottom up, and what each may include (runtime/CMakeLists.txt says
# the same in words):
#   codec      nothing else                 runtime/codec/, famqp/codec.h, frame.h, version.h, export.h, gen/wire.h
#   table      codec                        runtime/table/, famqp/gen/table.h
#   auth       codec                        runtime/auth/, famqp/auth.h (SAS
#                                           tokens, connection strings),
#                                           famqp/cbs.h (CBS token providers)
#   generated  table, codec                 generated/ (famqp_spec*.h and the .c files)
#   message    generated, codec             runtime/message/, famqp/message.h, famqp/batch.h, famqp/eventhubs.h,
#                                           famqp/management.h (request ids, status, put-token)
#   engine     message, generated, codec    runtime/engine/, famqp/engine.h
#   io         engine, message, generated, codec
#                                           runtime/io/, famqp/io.h
#   loop       io, engine, message, generated, codec
#                                           runtime/loop/, famqp/loop.h
#   uv         io, engine, message, generated, codec (beside loop, not on it)
#                                           runtime/uv/, famqp/uv.h (the libuv
#                                           adapter, its own library)
#   client     loop, io, engine, message, auth, generated, codec
#                                           runtime/client/, famqp/client.h, famqp/request.h,
#                                           famqp/servicebus.h
#   async      loop, io, engine, message, auth, generated, codec (beside client, not on it;
#                                           auth for CBS token providers)
#                                           runtime/async/, famqp/async.h
#   python     generated, codec             generated/python/ (famqp-gen --emit python),
#                                           famqp_py.h (python/src/: the Python
#                                           extension, built beside the library;
#                                           its client files, python/src/client*.c,
#                                           sender.c, receiver.c, also use client
#                                           and auth: they wrap famqp/client.h)
# A folder's internal headers (beside its sources) belong to that folder
# alone.  A header this script cannot place is an error too, so a new one
# must be given its layer here.  Prints each violation as file:line and exits
# 1 if there is any.
set -euo pipefail
root=${1:?usage: check_include_rules.sh ROOT}
cd "$root"

declare -A allowed=(
    [codec]="codec"
    [table]="table codec"
    [auth]="auth codec"
    [generated]="generated table codec"
    [message]="message generated codec"
    [engine]="engine message generated codec"
    [io]="io engine message generated codec"
    [loop]="loop io engine message generated codec"
    [uv]="uv io engine message generated codec"
    [client]="client loop io engine message auth generated codec"
    [async]="async loop io engine message auth generated codec"
    [python]="python generated codec"
)

# The layer of a header named in an #include, from the including file's
# folder (for internal headers): prints "LAYER" or "private:FOLDER" or "".
header_layer() {
    local name=$1
    case $name in
    famqp/codec.h | famqp/frame.h | famqp/version.h | famqp/export.h | famqp/gen/wire.h) echo codec ;;
    famqp/gen/table.h) echo table ;;
    famqp/auth.h | famqp/cbs.h) echo auth ;;
    famqp_spec.h | famqp_spec_internal.h | famqp_spec_table.h) echo generated ;;
    famqp/message.h | famqp/batch.h | famqp/eventhubs.h | famqp/management.h) echo message ;;
    famqp/engine.h) echo engine ;;
    famqp/io.h) echo io ;;
    famqp/loop.h) echo loop ;;
    famqp/uv.h) echo uv ;;
    famqp/client.h | famqp/request.h | famqp/servicebus.h) echo client ;;
    famqp/async.h) echo async ;;
    famqp_py.h) echo python ;;
    */*) echo "" ;;
    *) # a header beside the sources of some runtime folder
        local d
        for d in runtime/*/; do
            d=${d%/}
            [ "$d" != runtime/include ] || continue
            if [ -f "$d/$name" ]; then
                echo "private:${d#runtime/}"
                return
            fi
        done
        echo "" ;;
    esac
}

# The layer a source or header file is in.
file_layer() {
    local f=$1
    case $f in
    generated/python/*) echo python ;;
    generated/*) echo generated ;;
    runtime/include/famqp/*) header_layer "${f#runtime/include/}" ;;
    runtime/*/*) local d=${f#runtime/}; echo "${d%%/*}" ;;
    esac
}

bad=0
dirs=()
for d in runtime generated; do [ ! -d "$d" ] || dirs+=("$d"); done
[ ${#dirs[@]} -gt 0 ] || { echo "check_include_rules: no runtime/ under $root" >&2; exit 2; }
files=$(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
[ -n "$files" ] || { echo "check_include_rules: no sources under $root/runtime" >&2; exit 2; }
checked=0
while IFS= read -r f; do
    layer=$(file_layer "$f")
    if [ -z "$layer" ] || [ -z "${allowed[$layer]+x}" ]; then
        echo "$f: error: not in any layer (give its folder a layer in $0)"
        bad=1
        continue
    fi
    while IFS=: read -r line name; do
        target=$(header_layer "$name")
        case $target in
        "")
            echo "$f:$line: error: #include \"$name\": no layer knows this header"
            bad=1 ;;
        private:*)
            owner=${target#private:}
            if [ "$owner" != "$layer" ]; then
                echo "$f:$line: error: #include \"$name\": internal header of runtime/$owner/, private to that folder"
                bad=1
            fi ;;
        *)
            if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
                echo "$f:$line: error: #include \"$name\": layer '$layer' may not use layer '$target' (may use: ${allowed[$layer]})"
                bad=1
            fi ;;
        esac
        checked=$((checked + 1))
    done < <(awk 'match($0, /^[ \t]*#[ \t]*include[ \t]*("[^"]+"|<famqp[^>]*>)/) {
                     h = substr($0, RSTART, RLENGTH); sub(/^[^"<]*["<]/, "", h); sub(/[">]$/, "", h)
                     print FNR ":" h }' "$f")
done <<<"$files"

if [ "$bad" = 0 ]; then
    echo "check_include_rules: $checked includes in $(wc -l <<<"$files") files follow the layer rules"
fi
exit "$bad"
