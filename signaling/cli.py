"""The ``signaling`` command: ``serve``, ``config``, ``dev-token``, ``asyncapi`` and ``openapi``."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from importlib.metadata import version
from typing import Any

import msgspec
import uvicorn
from uvicorn.supervisors import Multiprocess

from signaling.auth import SERVICE_ROLES, hs256_secret, issue_dev_token
from signaling.config import ENV_PREFIX, ConfigError, Settings, load_settings
from signaling.connections import ConnectionGuard, HttpProtocol, raise_open_files_limit
from signaling.logs import setup_logging
from signaling.metrics import prepare_multiprocess
from signaling.transport import SignalingProtocol


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings(overrides={"host": args.host, "port": args.port})
    setup_logging(settings)
    if settings.workers > 1:
        prepare_multiprocess(settings.data_dir)  # where the workers add up their figures
    from signaling.app import create_app

    raise_open_files_limit()  # before the guard reads it; worker processes inherit it
    guard = ConnectionGuard(settings)
    # Partials instead of classes (uvicorn calls either, and both pickle into worker
    # processes, each of which gets its own copy of the guard).
    http: Any = functools.partial(HttpProtocol, guard=guard)
    ws: Any = functools.partial(SignalingProtocol, guard=guard)
    # Several workers (Redis only, config.py refuses otherwise) each build their own app from
    # the same environment; one process gets the app built here.
    app: Any = (
        "signaling.app:app_from_environment" if settings.workers > 1 else create_app(settings)
    )
    config = uvicorn.Config(
        app,
        factory=settings.workers > 1,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        http=http,
        ws=ws,
        # X-Forwarded-For only from the listed proxies (uvicorn trusts 127.0.0.1 by default).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        ws_max_size=settings.max_message_size,
        ws_ping_interval=settings.heartbeat_interval,
        ws_ping_timeout=settings.heartbeat_timeout,
        ws_per_message_deflate=False,
        lifespan="on",
        log_level=settings.log_level,
        log_config=None,  # setup_logging's handler formats uvicorn's lines too
        timeout_graceful_shutdown=round(settings.shutdown_timeout),
        server_header=False,
    )
    if settings.workers > 1:
        os.environ["SIGNALING_HOST"], os.environ["SIGNALING_PORT"] = (
            settings.host,
            str(settings.port),
        )
        socket = config.bind_socket()
        Multiprocess(config, sockets=[socket]).run()
        return 0
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


#: Settings whose values are never printed (``signaling config`` shows ``***``).
SECRET_SETTINGS = ("jwt_secret", "metrics_token", "redis_url")  # a Redis URL may hold a password


def _config(args: argparse.Namespace) -> int:
    """Print the effective settings (secrets masked); an invalid one exits with 2."""
    settings = load_settings()
    for name, value in msgspec.structs.asdict(settings).items():
        shown = "***" if name in SECRET_SETTINGS and value else json.dumps(value)
        print(f"{ENV_PREFIX}{name.upper()}={shown}")
    return 0


def _dev_token(args: argparse.Namespace) -> int:
    settings: Settings = load_settings()
    token = issue_dev_token(
        hs256_secret(settings),
        sub=args.sub,
        name=args.name,
        email=args.email,
        service=args.service,
        groups=args.group,
        ttl=args.ttl,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    print(token)
    return 0


def _write_document(args: argparse.Namespace) -> int:
    """Print (or write to ``--output``) the document ``args.document`` names, as YAML or JSON."""
    from signaling.docs import asyncapi, openapi  # the generators are off the server's path
    from signaling.docs.writer import to_json, to_yaml

    build = {"asyncapi": asyncapi.build_document, "openapi": openapi.build_document}
    document = build[args.document]()
    text = to_json(document) if args.json else to_yaml(document)
    if args.output is None:
        sys.stdout.buffer.write(text.encode())
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signaling", description=__doc__)
    parser.add_argument("--version", action="version", version=f"signaling {version('signaling')}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="bind address (SIGNALING_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (SIGNALING_PORT, default 11311)")
    serve.set_defaults(run=_serve)

    show = commands.add_parser("config", help="print the effective settings (secrets masked)")
    show.set_defaults(run=_config)

    token = commands.add_parser("dev-token", help="print a bearer token for the dev secret")
    token.add_argument("--sub", required=True, help="user id (the token's sub claim)")
    token.add_argument("--name", help="display name (the name claim)")
    token.add_argument("--email", help="e-mail address (avatar)")
    token.add_argument("--service", choices=sorted(SERVICE_ROLES), help="a service token")
    token.add_argument("--group", action="append", help="a chat group of the user (repeatable)")
    token.add_argument("--ttl", type=int, default=24 * 3600, help="lifetime in seconds")
    token.set_defaults(run=_dev_token)

    asyncapi = commands.add_parser(
        "asyncapi", help="print the AsyncAPI description of /signaling (protocol/asyncapi.yaml)"
    )
    asyncapi.add_argument("--output", metavar="PATH", help="write to PATH instead of stdout")
    asyncapi.add_argument("--json", action="store_true", help="JSON instead of YAML")
    asyncapi.set_defaults(run=_write_document, document="asyncapi")

    openapi = commands.add_parser(
        "openapi", help="print the OpenAPI description of the REST API (protocol/openapi.yaml)"
    )
    openapi.add_argument("--output", metavar="PATH", help="write to PATH instead of stdout")
    openapi.add_argument("--json", action="store_true", help="JSON instead of YAML")
    openapi.set_defaults(run=_write_document, document="openapi")

    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except ConfigError as exc:
        print(f"signaling: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
