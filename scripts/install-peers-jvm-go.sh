#!/usr/bin/env bash
# The interop peers that come from Maven Central and the Go module proxy
# (issue 15), pinned, into a cache outside the source tree; never needed to
# build or use the library.  Run by scripts/install-deps.sh (test set).
#   ActiveMQ Artemis  the apache-artemis bin distribution, version in
#                     tests/interop/artemis/VERSION, unpacked into
#                     CACHE/artemis/apache-artemis-VERSION
#   Qpid JMS          tests/interop/jms/pom.xml's dependencies, copied into
#                     CACHE/jms/lib (CMake compiles JmsCheck.java against them)
#   go-amqp           tests/interop/go/go.mod + go.sum, downloaded into the
#                     module cache CACHE/go/mod (CMake builds offline from it)
# CACHE: $FAMQP_PEER_CACHE, default ~/.cache/flatamqp (CMake's
# FAMQP_PEER_CACHE has the same default).  Each part is redone when asked
# (--always) or when its pin changed.  Needs java, mvn and go (the machine
# image has them; Go in /usr/local/go/bin).
#   install-peers-jvm-go.sh [--always]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
always=false
[[ ${1:-} == --always ]] && always=true
cache=${FAMQP_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp}
PATH=$PATH:/usr/local/go/bin
for tool in java javac mvn go; do
    if ! command -v "$tool" >/dev/null; then
        echo "install-peers-jvm-go.sh: $tool is needed for the Artemis, Qpid JMS and go-amqp interop tests" >&2
        exit 1
    fi
done
mvn_q=(mvn -B -q -Dmaven.repo.local="${FAMQP_MAVEN_REPO:-$HOME/.m2/repository}")

# pinned DIR KEY: true when DIR/.pins holds KEY (and we are not --always).
pinned() { [[ $always != true && $(cat "$1/.pins" 2>/dev/null) == "$2" ]]; }

# --- ActiveMQ Artemis ---------------------------------------------------------
artemis_version=$(tr -d '[:space:]' <"$src/tests/interop/artemis/VERSION")
artemis_dir=$cache/artemis/apache-artemis-$artemis_version
if ! pinned "$artemis_dir" "$artemis_version"; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "${mvn_q[@]}" dependency:copy -Dartifact="org.apache.activemq:apache-artemis:$artemis_version:tar.gz:bin" \
        -DoutputDirectory="$tmp" -Dmdep.useBaseVersion=true
    rm -rf "$artemis_dir"
    mkdir -p "$cache/artemis"
    tar xzf "$tmp/apache-artemis-$artemis_version-bin.tar.gz" -C "$cache/artemis"
    echo "$artemis_version" >"$artemis_dir/.pins"
    rm -rf "$tmp"
    trap - EXIT
fi

# --- Qpid JMS -------------------------------------------------------------------
jms_pom=$src/tests/interop/jms/pom.xml
jms_key=$(sha256sum <"$jms_pom" | cut -d' ' -f1)
if ! pinned "$cache/jms/lib" "$jms_key"; then
    rm -rf "$cache/jms/lib"
    "${mvn_q[@]}" -f "$jms_pom" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$cache/jms/lib"
    echo "$jms_key" >"$cache/jms/lib/.pins"
fi

# --- go-amqp ------------------------------------------------------------------------
go_dir=$src/tests/interop/go
go_key=$(cat "$go_dir/go.mod" "$go_dir/go.sum" | sha256sum | cut -d' ' -f1)
mkdir -p "$cache/go"
if ! pinned "$cache/go" "$go_key"; then
    # go.sum pins the hashes: a module that does not match fails here.
    (cd "$go_dir" && GOMODCACHE=$cache/go/mod GOFLAGS=-modcacherw GOTOOLCHAIN=local go mod download)
    echo "$go_key" >"$cache/go/.pins"
fi
