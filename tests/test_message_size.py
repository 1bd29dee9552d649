"""One message-size limit: the client, the server and the gateway send and accept gRPC
messages up to protos.MAX_MESSAGE_BYTES; only uploads are held to max_file_size."""

from __future__ import annotations

import re
from pathlib import Path

from client.settings import Settings
from protos import MAX_MESSAGE_BYTES

ROOT = Path(__file__).resolve().parent.parent
OPTION = re.compile(r'"grpc\.max_(send|receive)_message_length",\s*([^)]*)\)')


def test_the_client_sends_and_receives_messages_up_to_the_contract_limit() -> None:
    options = dict(Settings().channel_options)
    assert options["grpc.max_send_message_length"] == MAX_MESSAGE_BYTES
    assert options["grpc.max_receive_message_length"] == MAX_MESSAGE_BYTES


def test_every_message_size_option_is_the_contract_limit_or_the_upload_limit() -> None:
    found: list[tuple[str, str, str]] = []
    for package in ("server", "gateway", "client"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for direction, value in OPTION.findall(path.read_text()):
                found.append((path.relative_to(ROOT).as_posix(), direction, value.strip()))
    assert {where for where, _, _ in found} == {"server/app.py", "gateway/rpc.py", "client/settings.py"}
    for where, direction, value in found:
        assert value == "MAX_MESSAGE_BYTES" or "max_file_size" in value, (where, direction, value)
