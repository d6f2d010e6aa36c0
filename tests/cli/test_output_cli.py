"""``-o FILE`` of import-ctgov and export: only regular files or new paths, replaced whole.

A device given as ``-o`` used to become a regular file (as root, ``-o
/dev/null`` would replace the machine's device), read-only files and
symbolic links were replaced, and a failed write truncated a good file.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TESTS
from macros.cli import output
from macros.cli.output import OutputError, write_file

RECORD = TESTS / "data" / "ctgov" / "NCT03475563.json"
COMMANDS = {
    "export": ["export", "--format", "ctgov"],
    "import": ["import-ctgov", str(RECORD)],
}


def run(command: str, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", *COMMANDS[command], *args],
        cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
    )


def one_line_error(result: subprocess.CompletedProcess, status: int, needle: str) -> None:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert needle in errors[0]


@pytest.fixture(params=sorted(COMMANDS))
def command(request) -> str:
    return request.param


def test_a_folder_is_refused(command: str, tmp_path: Path) -> None:
    one_line_error(run(command, "-o", str(tmp_path)), 2, "it is a folder; give a file name")


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full", "/dev/zero"])
def test_a_device_is_refused_and_left_a_device(command: str, device: str) -> None:
    result = run(command, "-o", device)
    one_line_error(result, 2, "it is not a regular file (a device, pipe or socket)")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_a_pipe_is_refused(command: str, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    one_line_error(run(command, "-o", str(fifo)), 2, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symbolic_link_is_refused_and_its_target_kept(command: str, tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    one_line_error(run(command, "-o", str(link)), 2, "it is a symbolic link")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep\n"


def test_a_read_only_file_is_refused_even_for_root(command: str, tmp_path: Path) -> None:
    target = tmp_path / "read-only.json"
    target.write_text("keep\n", encoding="utf-8")
    target.chmod(0o444)
    one_line_error(run(command, "-o", str(target)), 2, "it is read-only")
    assert target.read_text(encoding="utf-8") == "keep\n"


def test_a_new_file_in_a_read_only_folder_is_refused(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        one_line_error(run(command, "-o", str(folder / "out.json")), 2, "its folder is read-only")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_name_too_long_is_refused(command: str, tmp_path: Path) -> None:
    one_line_error(run(command, "-o", str(tmp_path / ("n" * 300))), 2, "File name too long")
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_replaced_whole_keeping_its_permissions(command: str, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = run(command, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") != "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_full_standard_output_is_one_line_and_exit_1(command: str) -> None:
    with open("/dev/full", "w") as full:
        result = run(command, stdout=full)
    one_line_error(result, 1, "cannot write to standard output: No space left on device")


def test_a_closed_pipe_is_not_a_traceback(command: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "macros", *COMMANDS[command]], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.read(10)
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err


def test_validate_to_a_full_output_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "macros", "validate"], cwd=ROOT, stdout=full,
            stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )
    assert result.returncode == 1
    assert result.stderr == "error: cannot write to standard output: No space left on device\n"


# --- in process: a write that fails half-way ------------------------------------------


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "good.json"
    target.write_text("the last good export\n", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full_disk)
    with pytest.raises(OutputError) as caught:
        write_file(target, "x" * 100_000, "good.json")
    assert caught.value.status == 1
    assert str(caught.value) == "cannot write good.json: No space left on device"
    assert target.read_text(encoding="utf-8") == "the last good export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.json"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "new.json"
    write_file(target, "{}\n", "new.json")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert target.read_text(encoding="utf-8") == "{}\n"
