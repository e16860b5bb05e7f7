#!/usr/bin/env bash
# CTest python_pip_install: `pip install ./python` works in a venv on this
# machine.  Makes a fresh venv (Debian's /usr/bin/python3, no site
# packages) in DIR, installs the package from SRC with pip's build
# isolation, the build requirements coming offline from WHEELS (the cache
# scripts/install-deps.sh fills), then imports what was installed, outside
# the source tree, and round-trips a message through it.
#   usage: check_pip_install.sh SRC DIR WHEELS
set -euo pipefail
src=${1:?usage: check_pip_install.sh SRC DIR WHEELS}
dir=${2:?}
wheels=${3:?}
rm -rf "$dir"
mkdir -p "$dir"
/usr/bin/python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$wheels" "$src"
cd "$dir"
"$dir/venv/bin/python" - <<'PY'
import flatamqp, os
assert not flatamqp.__file__.startswith(os.environ.get("SRC_DIR", "/nonexistent")), flatamqp.__file__
assert "site-packages" in flatamqp.__file__, flatamqp.__file__
m = flatamqp.Message(properties=flatamqp.Properties(message_id=7, to="q"), application_properties={"k": 1},
                     body=b"hello")
d = flatamqp.decode_message(flatamqp.encode(m))
assert d.properties == m.properties and d.application_properties == {"k": 1} and bytes(d.body.value) == b"hello", d
print("pip-installed flatamqp", flatamqp.__file__, "round-trips a message")
PY
