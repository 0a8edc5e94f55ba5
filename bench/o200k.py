"""The o200k_base tokenizer offline: tiktoken with its vocabulary rebuilt from an npm package.

tiktoken downloads o200k_base.tiktoken from a blob store on first use, which cannot work
here. The npm package js-tiktoken ships the same ranks in its own compressed form
(`dist/ranks/o200k_base.js`: lines of `! <first rank> <base64 token> <base64 token> ...`).
`seed_cache` rebuilds the original file from it, checks it against the SHA-256 tiktoken
itself pins for o200k_base (so a wrong conversion cannot pass), and stores it in a
TIKTOKEN_CACHE_DIR, where tiktoken's own loader finds it: from then on
`tiktoken.get_encoding("o200k_base")` works offline, hash-checked again by tiktoken.
The package comes through npm (`npm pack js-tiktoken@JS_TIKTOKEN_VERSION`), the one
download, done once per cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# tiktoken_ext/openai_public.py: where tiktoken fetches o200k_base, and the file's SHA-256.
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
JS_TIKTOKEN_VERSION = "1.0.21"
_RANKS_MEMBER = "package/dist/ranks/o200k_base.js"
_JS_PREFIX = "export default "

Encode = Callable[[str], int]  # text -> token count


class TokenizerError(RuntimeError):
    """The o200k_base vocabulary could not be obtained or did not match tiktoken's hash."""


def cache_file(cache_dir: Path) -> Path:
    """Where tiktoken's loader looks for the file: sha1 of its URL under TIKTOKEN_CACHE_DIR."""
    return cache_dir / hashlib.sha1(O200K_URL.encode()).hexdigest()


def ranks_from_js(module_text: str) -> bytes:
    """The original o200k_base.tiktoken (`<base64 token> <rank>` lines, by rank) rebuilt
    from js-tiktoken's ranks module."""
    if not module_text.startswith(_JS_PREFIX):
        raise TokenizerError("not a js-tiktoken ranks module (no `export default`)")
    data = json.loads(module_text[len(_JS_PREFIX) :].strip().rstrip(";"))
    ranks: dict[str, int] = {}
    for line in str(data["bpe_ranks"]).split("\n"):
        if not line:
            continue
        _marker, offset, *tokens = line.split(" ")
        for index, token in enumerate(tokens):
            ranks[token] = int(offset) + index
    ordered = sorted(ranks.items(), key=lambda item: item[1])
    return "".join(f"{token} {rank}\n" for token, rank in ordered).encode("ascii")


def verified(data: bytes) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != O200K_SHA256:
        raise TokenizerError(
            f"rebuilt o200k_base has sha256 {digest}, tiktoken expects {O200K_SHA256}"
        )
    return data


def js_ranks_from_tarball(tarball: Path) -> str:
    try:
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(_RANKS_MEMBER)
            if member is None:
                raise KeyError(_RANKS_MEMBER)
            return member.read().decode("utf-8")
    except (KeyError, tarfile.TarError, OSError) as error:
        raise TokenizerError(f"{tarball}: not a js-tiktoken package ({error})") from error


def npm_pack(workdir: Path, version: str = JS_TIKTOKEN_VERSION) -> Path:
    """Download js-tiktoken's package tarball from the npm registry into `workdir`."""
    try:
        done = subprocess.run(
            ["npm", "pack", f"js-tiktoken@{version}", "--silent"],
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as error:
        raise TokenizerError("npm is not installed: it fetches the o200k_base ranks") from error
    if done.returncode != 0:
        raise TokenizerError(f"npm pack js-tiktoken@{version} failed: {done.stderr.strip()}")
    return workdir / done.stdout.strip().splitlines()[-1]


def seed_cache(cache_dir: Path, tarball: Path | None = None) -> Path:
    """Make sure `cache_dir` holds a verified o200k_base for tiktoken; returns the file.

    `tarball`: a js-tiktoken package already at hand; None fetches it with npm.
    """
    target = cache_file(cache_dir)
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == O200K_SHA256:
        return target
    with tempfile.TemporaryDirectory() as work:
        source = tarball or npm_pack(Path(work))
        data = verified(ranks_from_js(js_ranks_from_tarball(source)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


@contextmanager
def _cache_dir(path: Path) -> Iterator[None]:
    # tiktoken reads its cache location from the environment only.
    before = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = before


def o200k_counter(cache_dir: Path, tarball: Path | None = None) -> Encode:
    """A token counter with tiktoken's o200k_base, seeding `cache_dir` first if needed."""
    import tiktoken  # the bench extra; imported here so the rest of bench does not need it

    seed_cache(cache_dir, tarball)
    with _cache_dir(cache_dir):
        encoding = tiktoken.get_encoding("o200k_base")

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count
