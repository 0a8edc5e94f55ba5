"""bench.o200k: the o200k_base vocabulary rebuilt from js-tiktoken's form, hash-checked."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from bench import o200k
from bench.o200k import TokenizerError, cache_file, ranks_from_js, seed_cache, verified


def js_module(ranks: dict[bytes, int]) -> str:
    """js-tiktoken's compressed form: runs of consecutive ranks on `! <first> <tokens>` lines."""
    ordered = sorted(ranks.items(), key=lambda item: item[1])
    lines, run, first, last = [], [], None, None
    for token, rank in ordered:
        if last is not None and rank != last + 1:
            lines.append(f"! {first} " + " ".join(run))
            run, first = [], None
        first = rank if first is None else first
        run.append(base64.b64encode(token).decode())
        last = rank
    lines.append(f"! {first} " + " ".join(run))
    data = {"pat_str": "x", "special_tokens": {}, "bpe_ranks": "\n".join(lines)}
    return "export default " + json.dumps(data) + ";\n"


def tarball(path: Path, module: str) -> Path:
    payload = module.encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("package/dist/ranks/o200k_base.js")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return path


RANKS = {b"a": 0, b"b": 1, b"ab": 2, b" c": 5, b"\xff": 6}


def test_the_original_file_is_rebuilt_line_for_line() -> None:
    rebuilt = ranks_from_js(js_module(RANKS)).decode()
    assert rebuilt == "YQ== 0\nYg== 1\nYWI= 2\nIGM= 5\n/w== 6\n"


def test_a_rebuild_that_is_not_tiktokens_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(TokenizerError, match="sha256"):
        verified(b"YQ== 0\n")
    source = tarball(tmp_path / "js.tgz", js_module(RANKS))
    with pytest.raises(TokenizerError, match="sha256"):
        seed_cache(tmp_path / "cache", source)
    assert not (tmp_path / "cache").exists()  # nothing half-written for tiktoken to trust
    # and a rebuild with the pinned hash is stored where tiktoken's loader looks
    expected = ranks_from_js(js_module(RANKS))
    monkeypatch.setattr(o200k, "O200K_SHA256", hashlib.sha256(expected).hexdigest())
    stored = seed_cache(tmp_path / "cache", source)
    assert stored == cache_file(tmp_path / "cache") and stored.read_bytes() == expected
    assert stored.name == hashlib.sha1(o200k.O200K_URL.encode()).hexdigest()


def test_input_that_is_not_a_ranks_module_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match="export default"):
        ranks_from_js("module.exports = {}")
    empty = tmp_path / "empty.tgz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(TokenizerError, match="not a js-tiktoken package"):
        o200k.js_ranks_from_tarball(empty)
    (tmp_path / "junk.tgz").write_bytes(b"not a tarball")
    with pytest.raises(TokenizerError, match="not a js-tiktoken package"):
        o200k.js_ranks_from_tarball(tmp_path / "junk.tgz")
