"""Shared inputs: the C side's random vectors of every type and the
recorded streams of real peers (tests/vectors/data), both named by the
environment CTest sets (python/tests/CMakeLists.txt)."""
import os
import pathlib

import pytest


def _vectors():
    path = os.environ.get("FAMQP_PY_VECTORS")
    if not path:
        return []
    rows = []
    for line in pathlib.Path(path).read_text().splitlines():
        name, hexdata = line.split("\t")
        rows.append((name, bytes.fromhex(hexdata)))
    return rows


VECTORS = _vectors()


def recorded_frames():
    """(file, index, channel, descriptor, frame body) of every AMQP frame
    of every recorded stream, split by its .tsv index."""
    d = os.environ.get("FAMQP_RECORDED_DIR")
    if not d:
        return []
    out = []
    for tsv in sorted(pathlib.Path(d).glob("*.tsv")):
        data = tsv.with_suffix(".bin").read_bytes()
        for i, line in enumerate(tsv.read_text().splitlines()[1:]):
            off, length, kind, channel, desc = line.split("\t")
            if kind == "header":
                continue
            frame = data[int(off):int(off) + int(length)]
            doff = frame[4] * 4
            out.append((tsv.stem, i, kind, int(desc, 16), frame[doff:]))
    return out


@pytest.fixture(scope="session")
def vectors():
    if not VECTORS:
        pytest.fail("FAMQP_PY_VECTORS is not set: run through CTest (python_pytest)")
    return VECTORS
