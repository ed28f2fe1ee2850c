"""gmctl as production installs it: a wheel built from this tree, in a fresh venv outside the tree.

The wheel is built once per session without build isolation (the test venv's setuptools, so no
network) and installed with --no-deps into a new venv; a .pth line lends that venv the test venv's
already-installed dependencies. The .pth files of the lent directory are not processed, so the
test venv's editable gmctl is NOT visible there: the installed gmctl is the wheel's, and a test
asserts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class InstalledGmctl:
    wheel: Path
    prefix: Path  # the venv
    python: Path
    gmctl: Path  # its console script
    workdir: Path  # outside the source tree: every run starts here

    def environ(self, url: str | None = None, home: Path | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GMCTL_", "PYTHON")) and k not in ("DATABASE_URL", "VIRTUAL_ENV")}
        env["GMCTL_HOME"] = str(home or self.workdir / "home")
        env["NO_COLOR"] = "1"
        if url is not None:
            env["GMCTL_DATABASE_URL"] = url
        env.update(extra)
        return env

    def run(self, *args: str, url: str | None = None, home: Path | None = None, timeout: float = 180,
            **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.gmctl), *args], cwd=self.workdir, env=self.environ(url, home, **extra),
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str, url: str | None = None, **extra: str) -> subprocess.Popen:
        return subprocess.Popen([str(self.gmctl), *args], cwd=self.workdir, env=self.environ(url, **extra),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _tracked_tree(destination: Path) -> None:
    """Copy the files git knows (tracked or new, not ignored): the build must not see .venv or build/."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@pytest.fixture(scope="session")
def installed_gmctl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledGmctl]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs the git checkout to know which files are the source")
    base = tmp_path_factory.mktemp("wheel-install")
    source, dist, prefix, workdir = base / "src", base / "dist", base / "venv", base / "work"
    workdir.mkdir()
    _tracked_tree(source)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--no-index", "-q", "-w", str(dist), str(source)],
                           capture_output=True, text=True, cwd=base)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("gmctl-*.whl"))
    venv.EnvBuilder(with_pip=False).create(prefix)
    python = prefix / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    lent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "zz_test_venv_dependencies.pth").write_text("\n".join(sorted(lent)) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "-q", str(wheel)], capture_output=True, text=True, cwd=base)
    assert install.returncode == 0, install.stderr
    shutil.rmtree(source)  # nothing of the build tree is left to be found by accident
    yield InstalledGmctl(wheel, prefix, python, prefix / "bin" / "gmctl", workdir)
