"""The REST bindings tasks.proto declares on its RPCs (`google.api.http`).

The gateway registers each RPC's routes from them, so the proto, the served
routes and the OpenAPI document's paths are one list. Bindings are written with
the `/api/v1` prefix, as Chunkr's paths are; the routers are mounted at `/api/v1`
and at the root (the SDK appends its paths to whatever base URL it was given),
so a route's path is its binding's path without the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2

from protos import tasks_pb2 as pb

API_PREFIX = "/api/v1"
V1 = "/task/"  # Chunkr v1's spelling of a task's paths, answered in v1's JSON
V2 = "/tasks/"  # Chunkr 2.x's, answered in 2.x's


@dataclass(frozen=True)
class Binding:
    """One HTTP method and path of an RPC; `path` without the `/api/v1` prefix."""

    method: str
    path: str


def rpc_method(name: str, file: Any = pb.DESCRIPTOR) -> Any:
    """The method descriptor of the RPC `name`, in whichever service of the file declares it."""
    for service in file.services_by_name.values():
        if name in service.methods_by_name:
            return service.methods_by_name[name]
    raise KeyError(f"No RPC {name!r} in {file.name}")


def bindings(rpc: str) -> list[Binding]:
    """The RPC's bindings, its main one first (then `additional_bindings` in order)."""
    rule = rpc_method(rpc).GetOptions().Extensions[annotations_pb2.http]
    found = []
    for each in (rule, *rule.additional_bindings):
        verb = each.WhichOneof("pattern")
        path: str = getattr(each, verb)
        if not path.startswith(API_PREFIX + "/"):
            raise ValueError(f"{rpc}: REST binding {path!r} is not under {API_PREFIX}")
        found.append(Binding(verb.upper(), path.removeprefix(API_PREFIX)))
    return found


def bound_rpcs(file: Any = pb.DESCRIPTOR) -> list[str]:
    """Every RPC of the file that declares a REST binding."""
    return [
        method.name
        for service in file.services_by_name.values()
        for method in service.methods
        if method.GetOptions().HasExtension(annotations_pb2.http)
    ]
