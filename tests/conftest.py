"""Shared fixtures: a real redis-server for the index tests.

`redis_url` uses $DEDUPE_KO_REDIS_URL when set (`.ci/run` starts a server and sets it), else
starts its own redis-server on a free loopback port for the session. With neither, the tests
that need Redis fail when $CI is set and are skipped with a message otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class RedisServer:
    """A redis-server process started by a test (stop it to simulate an outage)."""

    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _redis_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    return "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None


def _no_redis(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(
            f"Redis is needed in CI and {reason} (.ci/run installs and starts "
            "redis-server and exports DEDUPE_KO_REDIS_URL)",
            pytrace=False,
        )
    pytest.skip(f"no Redis: {reason}; install redis-server or set DEDUPE_KO_REDIS_URL")


def _ping(url: str, wait_s: float) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
    finally:
        client.close()


def start_redis_server() -> RedisServer:
    """A fresh redis-server on a free loopback port (no persistence)."""
    binary = _redis_binary()
    if binary is None:
        _no_redis("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process, port)
    if not _ping(server.url, 10):
        server.stop()
        _no_redis(f"{binary} did not start on port {port}")
    return server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a running Redis (db 0); keys must be under a per-test prefix."""
    url = os.environ.get("DEDUPE_KO_REDIS_URL")
    if url:
        if not _ping(url, 5):
            pytest.fail(f"DEDUPE_KO_REDIS_URL={url} does not answer PING", pytrace=False)
        yield url
        return
    server = start_redis_server()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_target(redis_url: str) -> Iterator[str]:
    """An index URL with a prefix of its own; its keys are deleted after the test."""
    import redis

    prefix = f"test{uuid.uuid4().hex[:12]}"
    yield f"{redis_url}?prefix={prefix}"
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for i in range(0, len(keys), 1000):
            client.delete(*keys[i : i + 1000])
    finally:
        client.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which the test may stop."""
    server = start_redis_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def _kernels_on() -> None:
    """With numba installed (the test extra) every test runs the compiled kernels: a
    Deduplicator loads numba only after `dedupe_ko._jit.LOAD_AFTER` records, more than most
    tests give it. CI runs the suite once more with ``DEDUPE_KO_JIT=0``: the numpy path."""
    from dedupe_ko import _jit

    _jit.load()
