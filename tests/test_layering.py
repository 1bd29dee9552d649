"""Packages depend one way: protos (the contract) on nothing of ours, chunkr (Chunkr's
JSON) on protos, the client on chunkr and protos but never on the server, so that a
client install needs no server code. Each import runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"protos", "chunkr", "client", "server", "gateway"}


def packages_loaded_by(*modules: str) -> set[str]:
    """Our top-level packages in sys.modules after importing `modules` in a new interpreter."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1])) & OURS


@pytest.mark.parametrize("module", ["client", "client.sync", "client.aio", "client.cli", "client.views"])
def test_importing_the_client_loads_no_server_or_gateway_code(module: str) -> None:
    assert packages_loaded_by(module) <= {"client", "chunkr", "protos"}


def test_the_chunkr_codec_depends_on_the_protos_alone() -> None:
    assert packages_loaded_by("chunkr.codec") == {"chunkr", "protos"}


def test_the_protos_package_is_a_leaf() -> None:
    assert packages_loaded_by("protos", "protos.tasks_pb2", "protos.tasks_pb2_grpc") == {"protos"}
