"""The atheris corpus (python/tests/corpus, where python/fuzz/run.sh
starts) replayed: every input passes fuzz_target.one_input (a value that
encodes again, or DecodeError with its offset inside the input)."""
import pathlib

import pytest

import fuzz_target

CORPUS = sorted((pathlib.Path(__file__).parent / "corpus").iterdir())


def test_corpus_is_there():
    assert len(CORPUS) >= 50


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:12])
def test_replay(path):
    fuzz_target.one_input(path.read_bytes())


@pytest.mark.parametrize("shape", ["list", "map", "described", "tuple"])
def test_what_decodes_encodes_again_at_every_depth(shape):
    # The decoders take nesting up to FAMQP_DEFAULT_MAX_DEPTH (64); the
    # encoder's writer has 32 levels.  Found by atheris: a value nested 33
    # deep decoded but did not encode again (corpus/finding-deep-nesting-reencode).
    import flatamqp
    wrap = {"list": lambda v: [v], "map": lambda v: {"k": v}, "tuple": lambda v: (v,),
            "described": lambda v: flatamqp.Described(flatamqp.symbol("d"), v)}[shape]
    v = 1
    for depth in range(1, 66):
        v = wrap(v)
        if depth <= 64:
            b = flatamqp.encode_value(v)
            assert flatamqp.encode_value(flatamqp.decode(b)) == b
        else:
            with pytest.raises(ValueError, match="nested deeper than 64"):
                flatamqp.encode_value(v)
