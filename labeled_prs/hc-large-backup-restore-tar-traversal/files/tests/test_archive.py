from pathlib import Path

import pytest

from backup.archive import BackupError, create_backup, read_manifest, restore_backup


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.py").write_text("print('hi')\n")
    (root / "README.md").write_text("# proj\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def test_round_trip(project: Path, tmp_path: Path) -> None:
    info = create_backup(project, tmp_path / "out")
    assert info.files == 2
    assert set(read_manifest(info.path)) == {"README.md", "src/main.py"}
    n = restore_backup(info.path, tmp_path / "restored")
    assert n == 2
    assert (tmp_path / "restored" / "src" / "main.py").read_text() == "print('hi')\n"


def test_restore_refuses_existing_target(project: Path, tmp_path: Path) -> None:
    info = create_backup(project, tmp_path / "out")
    (tmp_path / "exists").mkdir()
    with pytest.raises(BackupError):
        restore_backup(info.path, tmp_path / "exists")
