"""CORS: which browser origins may call the gateway (CHUNKD_CORS_ORIGINS). Off by
default: a page on another origin gets no access until an operator names it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# The API key travels in Authorization, never in cookies: no credentials mode is needed.
HEADERS = ["Authorization", "Content-Type"]
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer


def allowed_origins(setting: str) -> list[str]:
    """`https://a.example, https://b.example` or `*`."""
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]


def install(app: FastAPI, setting: str) -> None:
    """Add last, so it is the outermost layer: preflights are answered before any
    other check, and errors (401, 413...) carry the headers a browser needs to read them."""
    origins = allowed_origins(setting)
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=METHODS,
        allow_headers=HEADERS,
        max_age=PREFLIGHT_MAX_AGE,
    )
