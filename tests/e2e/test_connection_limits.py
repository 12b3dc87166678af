"""Connections that no client can use to break the service (issue 11, fault 2), against a real
``bentoml serve``: a head that never finishes, a connection that sends nothing, a huge header
and a flood of idle sockets each get a bounded answer, and ``/readyz`` keeps answering.

Each test failed on the unguarded server (uvicorn as BentoML starts it): the trickled head and
the silent connection stayed open, the 32 KiB header was parsed, the idle flood held every socket
it opened (enough of them exhaust the worker's file descriptors), and nothing was ever 503.
"""

from __future__ import annotations

import select
import socket
import time

import pytest
import requests

pytestmark = pytest.mark.slow

HEAD_TIMEOUT_S = 2
MAX_CONNECTIONS = 8
MAX_HEADER_BYTES = 8192


@pytest.fixture(scope="module")
def guarded(serving_home, server_factory):
    return server_factory(
        serving_home["home"],
        QU_HEADER_TIMEOUT_S=str(HEAD_TIMEOUT_S),
        QU_BODY_TIMEOUT_S="3",
        QU_MAX_CONNECTIONS=str(MAX_CONNECTIONS),
        QU_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES),
    )


def address(server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def read_until_closed(conn: socket.socket) -> bytes:
    answer = b""
    try:
        while chunk := conn.recv(4096):
            answer += chunk
    except ConnectionResetError:
        pass
    return answer


def closed_by_server(conn: socket.socket) -> bool:
    """True when the server has closed ``conn`` (readable at once, and reading gives EOF)."""
    readable, _, _ = select.select([conn], [], [], 0.05)
    if not readable:
        return False
    try:
        return conn.recv(4096, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


def fresh_get(server, path: str) -> requests.Response:
    """One request on its own connection (a pooled one may have been closed as idle)."""
    with requests.Session() as session:
        return session.get(f"{server.url}{path}", timeout=10, headers={"Connection": "close"})


def test_a_request_head_that_never_finishes_is_408_and_closed_while_readyz_answers(guarded):
    with socket.create_connection(address(guarded), timeout=15) as conn:
        conn.sendall(b"POST /parse HTTP/1.1\r\nHost: x\r\n")  # and the rest never comes
        started = time.monotonic()
        assert fresh_get(guarded, "/readyz").status_code == 200
        answer = read_until_closed(conn)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"status": 408' in answer and b"QU_HEADER_TIMEOUT_S" in answer
    assert HEAD_TIMEOUT_S - 0.5 < waited < HEAD_TIMEOUT_S + 5, waited


def test_a_connection_that_sends_nothing_is_closed_after_the_head_timeout(guarded):
    with socket.create_connection(address(guarded), timeout=15) as conn:
        started = time.monotonic()
        answer = read_until_closed(conn)
        waited = time.monotonic() - started
    assert answer == b"" and HEAD_TIMEOUT_S - 0.5 < waited < HEAD_TIMEOUT_S + 5, (answer[:100], waited)


def test_a_head_over_the_size_limit_is_431_at_once_and_the_next_request_is_served(guarded):
    with socket.create_connection(address(guarded), timeout=15) as conn:
        started = time.monotonic()
        try:
            conn.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * MAX_HEADER_BYTES))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close before it has read everything
        answer = read_until_closed(conn)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"QU_MAX_HEADER_BYTES" in answer and waited < HEAD_TIMEOUT_S, waited
    r = requests.post(f"{guarded.url}/parse", json={"query": "red shoes"}, timeout=10)
    assert r.status_code == 200 and r.json()["results"]


def test_a_head_under_the_size_limit_is_served(guarded):
    r = fresh_get(guarded, "/readyz")
    big = requests.get(f"{guarded.url}/readyz", headers={"X-Padding": "p" * (MAX_HEADER_BYTES // 2)}, timeout=10)
    assert r.status_code == 200 and big.status_code == 200


def test_a_flood_of_idle_connections_cannot_lock_out_readyz_or_parse(guarded):
    flood = [socket.create_connection(address(guarded), timeout=5) for _ in range(5 * MAX_CONNECTIONS)]
    try:
        for sock in flood[-MAX_CONNECTIONS:]:
            sock.sendall(b"GET /readyz HTTP/1.1\r\n")  # partial heads are idle too
        assert fresh_get(guarded, "/readyz").status_code == 200
        r = requests.post(
            f"{guarded.url}/parse", json={"query": "blue jeans"}, timeout=10, headers={"Connection": "close"}
        )
        assert r.status_code == 200, r.text
        still_open = [sock for sock in flood if not closed_by_server(sock)]
        assert len(still_open) <= MAX_CONNECTIONS, f"{len(still_open)} of {len(flood)} idle sockets still held"
    finally:
        for sock in flood:
            sock.close()


def test_when_every_connection_has_a_request_in_flight_a_new_one_is_503_until_they_finish(guarded):
    busy = []
    try:
        for _ in range(MAX_CONNECTIONS):
            sock = socket.create_connection(address(guarded), timeout=10)
            sock.sendall(
                b"POST /parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"
            )
            busy.append(sock)
        time.sleep(0.3)  # the server has read every head: each request waits for its body
        refused = fresh_get(guarded, "/readyz")
        assert refused.status_code == 503, refused.text
        assert refused.json()["status"] == 503 and "QU_MAX_CONNECTIONS" in refused.json()["error"]
        for sock in busy:  # the body timeout (3 s) answers them 408 and frees the slots
            assert read_until_closed(sock).startswith(b"HTTP/1.1 408")
    finally:
        for sock in busy:
            sock.close()
    assert fresh_get(guarded, "/readyz").status_code == 200


def test_refusals_are_logged_at_info_without_a_traceback(guarded):
    log = guarded.log_path.read_text(errors="replace")
    assert "refused 408" in log and "refused 431" in log
    assert "Traceback" not in log
