"""`chunkd`: serve, worker, gateway, keys create/list/revoke."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from server import logs
from server.config import Settings


def _limit(value: float | None) -> str:
    """A key's own limit as `keys list` shows it: `default` when it follows the settings."""
    if value is None:
        return "default"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _non_negative(kind: type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative: {text}")
        return value

    return parse


async def _keys(settings: Settings, args: argparse.Namespace) -> int:
    from server.app import Components
    from server.auth import KeyLimits

    parts = await Components.open(settings)
    try:
        if args.keys_command == "create":
            limits = KeyLimits(args.rps, args.pages_per_day, args.max_running)
            print(await parts.keys.create(args.name, limits=limits))
        elif args.keys_command == "list":
            print("id\towner\tname\tcreated\tstate\trps\tpages_per_day\tmax_running")
            for row in await parts.keys.list():
                state = "revoked" if row["revoked"] else "active"
                own = [_limit(row[name]) for name in ("rate_limit_rps", "pages_per_day", "max_running_tasks")]
                print(
                    f"{row['id']}\t{row['owner']}\t{row['name']}\t{row['created_at']:%Y-%m-%dT%H:%M:%S}\t{state}\t"
                    + "\t".join(own)
                )
        elif not await parts.keys.revoke(args.id):
            print(f"chunkd: no API key has id {args.id}", file=sys.stderr)
            return 1
        return 0
    finally:
        await parts.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chunkd", description="Document-processing task service (Chunkr's task API).")
    parser.add_argument("--log-level", default=None, help="default: CHUNKD_LOG_LEVEL or INFO")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="gRPC server, worker and REST gateway in one process")
    serve.add_argument("--no-worker", action="store_true", help="serve the API only; run `chunkd worker` elsewhere")
    serve.add_argument("--no-gateway", action="store_true", help="do not start the REST gateway")
    serve.add_argument("--insecure", action="store_true", help="allow anonymous access (local experiments only)")
    # How the first API process starts the others (CHUNKD_API_PROCESSES); not for people.
    serve.add_argument("--api-process", type=int, default=0, help=argparse.SUPPRESS)
    serve.add_argument("--peers", type=Path, default=None, help=argparse.SUPPRESS)
    commands.add_parser("worker", help="process tasks only")
    commands.add_parser("gateway", help="REST gateway only, in front of CHUNKD_GRPC_ADDRESS")
    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create an API key for an owner and print it")
    create.add_argument("name", help="the owner: tasks belong to all keys of one owner")
    create.add_argument("--rps", type=_non_negative(float), default=None,
                        help="calls per second for this key (default: CHUNKD_RATE_LIMIT_RPS; 0 = no limit)")
    create.add_argument("--pages-per-day", type=_non_negative(int), default=None,
                        help="pages processed per UTC day (default: CHUNKD_PAGES_PER_DAY; 0 = no limit)")
    create.add_argument("--max-running", type=_non_negative(int), default=None,
                        help="tasks queued or processing at once (default: CHUNKD_MAX_RUNNING_TASKS; 0 = no limit)")
    key_commands.add_parser("list", help="list API keys (ids, owners, state; never the keys)")
    revoke = key_commands.add_parser("revoke", help="revoke an API key by its id (from `keys list`)")
    revoke.add_argument("id", type=int)
    args = parser.parse_args(argv)

    settings = Settings()
    level = (args.log_level or settings.log_level).upper()
    logs.configure(level, settings.log_format)
    if args.command in ("serve", "worker", "gateway"):
        from server import tracing

        try:
            tracing.configure(settings)
        except tracing.TracingUnavailable as exc:
            print(f"chunkd: {exc}", file=sys.stderr)
            return 2
    from server.app import serve as run

    try:
        if args.command == "serve":
            if args.insecure:
                settings.insecure = True
            worker = settings.run_worker and not args.no_worker  # CHUNKD_RUN_WORKER=false is --no-worker
            asyncio.run(
                run(
                    settings,
                    worker=worker,
                    gateway=not args.no_gateway,
                    api_process=args.api_process,
                    peers_dir=args.peers,
                    log_level=args.log_level,
                )
            )
        elif args.command == "worker":
            asyncio.run(run(settings, grpc_enabled=False, gateway=False))
        elif args.command == "gateway":
            from server.app import serve_gateway_only

            asyncio.run(serve_gateway_only(settings))
        elif args.command == "keys":
            return asyncio.run(_keys(settings, args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
