"""Repository snapshots: archive downloads through real PyGithub from the fake GitHub (302 to
codeload), the per-commit cache, size caps, hostile archives, pruning, and local git."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import tarfile
from pathlib import Path

import httpx
import pytest

from bot.github import GitHubApp, GitHubClient, GitHubError, GitHubNotFound
from bot.snapshot import (
    Download,
    SnapshotError,
    SnapshotLimits,
    SnapshotStore,
    git_snapshot,
    head_snapshot,
)
from tests.fakes.github_server import FakeGitHub
from tests.integration.conftest import HEAD, INSTALLATION, REPO

TREE = {
    "README.md": "# demo\n",
    "src/app.py": "from src.util import helper\n\n\ndef main():\n    return helper()\n",
    "src/util.py": "def helper():\n    return 1\n",
}


def seed(fake: FakeGitHub, ref: str = HEAD, tree: dict[str, str] = TREE) -> None:
    for path, text in tree.items():
        fake.set_file_content(REPO, ref, path, text)


def loader(client: GitHubClient, ref: str = HEAD) -> Download:
    return lambda write: client.download_archive(REPO, ref, write)


def test_one_archive_download_then_the_cache(
    demo: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    seed(demo)
    store = SnapshotStore(tmp_path)
    snapshot = store.load(REPO, HEAD, loader(client))
    assert dict(snapshot.files) == TREE
    api, codeload = demo.requests(path_regex=r"/tarball/|/_codeload/")
    assert (api.method, api.path) == ("GET", f"/repos/{REPO}/tarball/{HEAD}")
    assert api.headers["authorization"].startswith("token ")  # the installation token
    assert api.status == 302
    assert codeload.path == f"/_codeload/{REPO}/legacy.tar.gz/{HEAD}"
    assert "token=" in codeload.query and codeload.status == 200
    again = store.load(REPO, HEAD, loader(client))
    assert dict(again.files) == TREE
    assert len(demo.requests(path_regex=r"/tarball/|/_codeload/")) == 2  # cached
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{HEAD}.sqlite"]


def test_unknown_commit_is_not_found_and_the_review_goes_on_without_context(
    demo: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    with pytest.raises(GitHubNotFound):
        client.download_archive(REPO, HEAD, lambda chunk: None)
    store = SnapshotStore(tmp_path)
    snapshot, notes = asyncio.run(head_snapshot(store, REPO, HEAD, loader(client)))
    assert snapshot is None
    assert notes and notes[0].startswith("repository context unavailable:")
    assert not list(tmp_path.rglob("*.sqlite"))


def test_installation_without_contents_read_is_refused(
    fake_github: FakeGitHub, github_app: GitHubApp
) -> None:
    fake_github.add_installation(INSTALLATION, permissions={"pull_requests": "write"})
    fake_github.add_repo("octo", "demo", installation_id=INSTALLATION)
    seed(fake_github)
    client = github_app.client(INSTALLATION)
    with pytest.raises(GitHubError) as info:
        client.download_archive(REPO, HEAD, lambda chunk: None)
    assert info.value.status == 403
    assert "Resource not accessible by integration" in str(info.value)


def test_codeload_links_are_bound_short_lived_and_need_no_header(
    demo: FakeGitHub, client: GitHubClient, fake_github_url: str
) -> None:
    seed(demo)
    seed(demo, "c" * 40)
    client.download_archive(REPO, HEAD, lambda chunk: None)
    link = demo.requests(path_regex="/_codeload/")[-1]
    url = f"{fake_github_url}{link.path}?{link.query}"
    assert httpx.get(url).status_code == 200  # no Authorization header needed
    other = url.replace(HEAD, "c" * 40)
    assert httpx.get(other).status_code == 404  # the token is bound to its ref
    assert httpx.get(url.split("?")[0] + "?token=guess").status_code == 404
    demo.archives.expire_links()
    assert httpx.get(url).status_code == 404
    bare = httpx.get(f"{fake_github_url}/repos/{REPO}/tarball/{HEAD}")
    assert bare.status_code == 401  # the API call itself needs a token


Member = tuple[str, bytes, bytes, str]


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> Member:
    return name, data, kind, link


def tarball(entries: list[Member], top: str = "octo-demo-aaaaaaa") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data, kind, link in entries:
            info = tarfile.TarInfo(name if name.startswith(("/", "..")) else f"{top}/{name}")
            info.type, info.size, info.linkname = kind, len(data), link
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return out.getvalue()


def test_hostile_archive_members_are_skipped_never_extracted(
    demo: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    demo.set_archive(
        REPO,
        HEAD,
        tarball(
            [
                member("ok.py", b"x = 1\n"),
                member("link.py", kind=tarfile.SYMTYPE, link="/etc/passwd"),
                member("hard.py", kind=tarfile.LNKTYPE, link="octo-demo-aaaaaaa/ok.py"),
                member("dev", kind=tarfile.CHRTYPE),
                member("../escape.py", b"evil = 1\n"),
                member("/abs.py", b"evil = 1\n"),
                member("a/../../up.py", b"evil = 1\n"),
                member("logo.png", b"\x89PNG\x00\x00data"),
                member("big.py", b"#" * 2000),
            ]
        ),
    )
    store = SnapshotStore(tmp_path / "snap", SnapshotLimits(max_file_bytes=1000))
    snapshot = store.load(REPO, HEAD, loader(client))
    assert dict(snapshot.files) == {"ok.py": "x = 1\n"}
    assert snapshot.skipped.counts == {
        "link": 2,
        "special file": 1,
        "unsafe path": 3,
        "binary": 1,
        "over 1 KB": 1,
    }
    assert snapshot.note() == (
        "repository context left out files: 1 binary, 2 link, 1 over 1 KB, 1 special file, "
        "3 unsafe path."
    )
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert written == ["snap", "snap/octo__demo", f"snap/octo__demo/{HEAD}.sqlite"]


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (SnapshotLimits(max_archive_bytes=100), "archive larger than"),
        (SnapshotLimits(max_unpacked_bytes=5000), None),
    ],
)
def test_size_caps(
    demo: FakeGitHub,
    client: GitHubClient,
    tmp_path: Path,
    limits: SnapshotLimits,
    message: str | None,
) -> None:
    big = {f"f{i}.py": "x = 1\n" * 300 for i in range(10)}  # 1,800 bytes each
    seed(demo, tree=big)
    store = SnapshotStore(tmp_path, limits)
    if message:
        with pytest.raises(SnapshotError, match=message):
            store.load(REPO, HEAD, loader(client))
        assert not list(tmp_path.rglob("*.sqlite")) and not list(tmp_path.rglob("*.tmp"))
        return
    snapshot = store.load(REPO, HEAD, loader(client))
    assert len(snapshot.files) == 2  # 3 x 1,800 > 5,000: reading stopped
    assert snapshot.skipped.counts == {"not read (archive too large unpacked)": 1}


def test_total_and_count_caps(demo: FakeGitHub, client: GitHubClient, tmp_path: Path) -> None:
    seed(demo, tree={f"f{i}.py": "y = 2\n" * 100 for i in range(10)})  # 600 bytes each
    store = SnapshotStore(tmp_path, SnapshotLimits(max_total_bytes=2000))
    snapshot = store.load(REPO, HEAD, loader(client))
    assert len(snapshot.files) == 3 and snapshot.skipped.counts == {"past the snapshot cap": 7}


def test_not_a_tarball(demo: FakeGitHub, client: GitHubClient, tmp_path: Path) -> None:
    demo.set_archive(REPO, HEAD, b"<html>rate limited</html>")
    with pytest.raises(SnapshotError, match="not a readable gzipped tarball"):
        SnapshotStore(tmp_path).load(REPO, HEAD, loader(client))


@pytest.mark.parametrize(
    ("repo", "sha"),
    [("octo/demo", "main"), ("octo/demo", "A" * 40), ("../x", HEAD), ("octo/..", HEAD)],
)
def test_only_commit_ids_of_plain_repository_names_are_cached(
    tmp_path: Path, repo: str, sha: str
) -> None:
    with pytest.raises(SnapshotError):
        SnapshotStore(tmp_path).load(repo, sha, lambda write: None)


def test_least_recently_used_snapshots_are_pruned(
    demo: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path, keep=2)
    shas = ["1" * 40, "2" * 40, "3" * 40]
    for age, sha in enumerate(shas):
        seed(demo, sha)
        store.load(REPO, sha, loader(client, sha))
        os.utime(store.path_for(REPO, sha), (1_000_000 + age, 1_000_000 + age))
    kept = sorted(p.stem for p in tmp_path.rglob("*.sqlite"))
    assert kept == sorted(shas)[1:]  # the least recently used went when the third arrived
    store.load(REPO, shas[1], loader(client, shas[1]))  # a hit makes it the newest
    seed(demo, "4" * 40)
    store.load(REPO, "4" * 40, loader(client, "4" * 40))
    assert sorted(p.stem for p in tmp_path.rglob("*.sqlite")) == sorted([shas[1], "4" * 40])


def test_a_torn_cache_file_is_fetched_again(
    demo: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    seed(demo)
    store = SnapshotStore(tmp_path)
    store.path_for(REPO, HEAD).parent.mkdir(parents=True)
    store.path_for(REPO, HEAD).write_bytes(b"not sqlite")
    assert dict(store.load(REPO, HEAD, loader(client)).files) == TREE


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_local_git_snapshot(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("x = 1\n")
    (repo / "big.txt").write_text("z" * 3000)
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    os.symlink("src/app.py", repo / "link.py")
    git(repo, "add", ".")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{'d' * 40},vendor/sub")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "one")
    snapshot = git_snapshot(repo, "HEAD", SnapshotLimits(max_file_bytes=1000))
    assert dict(snapshot.files) == {"src/app.py": "x = 1\n"}
    assert snapshot.skipped.counts == {"binary": 1, "link": 1, "over 1 KB": 1, "submodule": 1}
