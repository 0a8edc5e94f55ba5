"""Archive downloads in the fake GitHub: the tarball API and its codeload redirect target.

`GET /repos/{owner}/{repo}/tarball/{ref}` answers 302 with a Location on codeload, as GitHub
does. What it enforces, as GitHub does: the token must see the repository (the gatekeeper)
and, for an installation, hold Contents: read (else 403 "Resource not accessible by
integration"); an unknown ref is a 404. The codeload URL carries its own token, bound to
the repository and ref, valid five minutes; it ignores any Authorization header (on
github.com codeload is another host, so clients drop the header) and answers 404 to a
missing, expired or foreign token. The archive has GitHub's shape: a gzipped pax tarball
whose global header's comment is the commit id, every path under one top-level directory
`{owner}-{repo}-{sha7}/`, built from the repository's contents at that ref
(`FakeGitHub.set_file_content`), or raw bytes a test supplies (`set_archive`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import secrets
import tarfile
import threading
import time
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from tests.fakes.github_state import ApiError, FakeRepo, FakeToken, GitHubState

CODELOAD_PREFIX = "/_codeload"  # GHES serves codeload on its own host under this path
LINK_TTL = 300.0  # GitHub: private archive links expire after five minutes
_HEX = re.compile(r"^[0-9a-f]{40}$")


@dataclass
class ArchiveStore:
    raw: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (repo, ref) -> bytes
    links: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # token -> link
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.raw.clear()
            self.links.clear()

    def expire_links(self) -> None:
        with self.lock:
            self.links = {t: (r, f, 0.0) for t, (r, f, _) in self.links.items()}


def commit_of(ref: str) -> str:
    return ref if _HEX.match(ref) else hashlib.sha1(ref.encode()).hexdigest()


def build_tarball(repo: FakeRepo, ref: str) -> bytes:
    """GitHub's layout: pax global header with the commit id, one top-level directory."""
    sha = commit_of(ref)
    top = f"{repo.owner}-{repo.name}-{sha[:7]}"
    out = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz,
        tarfile.open(
            fileobj=gz, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": sha}
        ) as tar,
    ):
        folder = tarfile.TarInfo(top)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for (at, path), text in sorted(repo.contents.items()):
            if at != ref:
                continue
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _can_read_contents(state: GitHubState, token: FakeToken | None) -> bool:
    if token is None or token.installation_id is None:
        return True  # a plain token (Action mode) is scoped by the repository instead
    installation = state.installations.get(token.installation_id)
    return installation is not None and installation.permissions.get("contents") in (
        "read",
        "write",
    )


def router(state: GitHubState, store: ArchiveStore) -> APIRouter:
    api = APIRouter()

    @api.get("/repos/{owner}/{name}/tarball/{ref:path}")
    async def tarball(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = state.repo(owner, name)
        if not _can_read_contents(state, getattr(request.state, "token", None)):
            raise ApiError(403, "Resource not accessible by integration")
        key = (repo.full_name.lower(), ref)
        if key not in store.raw and not any(at == ref for at, _ in repo.contents):
            raise ApiError(404, "Not Found")
        link = secrets.token_urlsafe(18)
        with store.lock:
            store.links[link] = (key[0], ref, time.time() + LINK_TTL)
        base = str(request.base_url).rstrip("/")
        location = f"{base}{CODELOAD_PREFIX}/{repo.full_name}/legacy.tar.gz/{ref}?token={link}"
        return Response(status_code=302, headers={"location": location})

    return api


def codeload_router(state: GitHubState, store: ArchiveStore) -> APIRouter:
    api = APIRouter()

    @api.get(CODELOAD_PREFIX + "/{owner}/{name}/legacy.tar.gz/{ref:path}")
    async def codeload(request: Request, owner: str, name: str, ref: str) -> Response:
        link = request.query_params.get("token", "")
        with store.lock:
            bound = store.links.get(link)
        full = f"{owner}/{name}".lower()
        if bound is None or bound[:2] != (full, ref) or bound[2] <= time.time():
            return PlainTextResponse("404: Not Found", status_code=404)
        repo = state.repo(owner, name)
        data = store.raw.get((full, ref)) or build_tarball(repo, ref)
        filename = f"{repo.owner}-{repo.name}-{commit_of(ref)[:7]}.tar.gz"
        return Response(
            data,
            media_type="application/x-gzip",
            headers={"content-disposition": f"attachment; filename={filename}"},
        )

    return api
