"""The web app's listening socket: replies on a kept-alive connection are not held back."""

from __future__ import annotations

import socket

from watcher.web.server import _listening_socket


def test_connections_the_app_accepts_send_without_waiting_for_the_clients_ack() -> None:
    # Without TCP_NODELAY a reply written in two parts (headers, then body) waits for the
    # client's delayed ACK: ~40 ms on every request after the first of a kept-alive connection.
    listener = _listening_socket("127.0.0.1", 0)
    try:
        with socket.create_connection(listener.getsockname()[:2]) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert client.fileno() >= 0
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        listener.close()
