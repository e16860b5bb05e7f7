"""atheris over flatamqp's decoders: python/tests/fuzz_target.py's
one_input on every input (python/fuzz/run.sh runs it)."""
import os
import sys

import atheris

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
with atheris.instrument_imports():
    import fuzz_target  # noqa: E402


def main():
    atheris.Setup(sys.argv, fuzz_target.one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
