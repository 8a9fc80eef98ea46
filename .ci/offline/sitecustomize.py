"""No connection may leave this computer: a guard that every Python started with this folder on
PYTHONPATH loads before anything else (Python imports `sitecustomize` at start-up).

`.ci/run` takes the tour under it, and the test suite starts every subprocess under it, so any code
that reaches for the internet at run time (a model download, a version check, telemetry) fails
instead of quietly working in a lab that has internet. Connections to this computer itself
(127.0.0.1, ::1, local sockets) still work: the tutor's web server and the DDP tests need them.

Each blocked attempt is also written, with where it came from, to the file named by
$BUILDAI_OFFLINE_REPORT (when set), so code that catches the error (a "can we reach the Hub?"
probe) is still caught. To prove the course offline yourself:

    PYTHONPATH=.ci/offline buildai tour
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import traceback

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.split("%")[0].strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _report(target: object) -> None:
    path = os.environ.get("BUILDAI_OFFLINE_REPORT")
    if path:
        where = "".join(traceback.format_stack()[:-2])
        with open(path, "a", encoding="utf-8") as report:
            report.write(f"--- pid {os.getpid()} tried to reach {target!r}\n{where}\n")


def _blocked(target: object) -> OSError:
    _report(target)
    return OSError(errno.ENETUNREACH, f"offline: a connection to {target!r} was blocked (this run must not use the network)")


def _allowed(sock: socket.socket, address: object) -> bool:
    if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
        return True
    return isinstance(address, tuple) and bool(address) and _is_local(address[0])


def connect(self: socket.socket, address: object) -> None:
    if not _allowed(self, address):
        raise _blocked(address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(self, address):
        _report(address)
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host).split("%")[0])
        return True
    except ValueError:
        return False


def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    """Names are not looked up (a DNS query is network use); a written-out address is left to connect()."""
    if host is not None and not _is_local(host) and not _is_address(host):
        _report(host)
        raise socket.gaierror(socket.EAI_NONAME, f"offline: looking up {host!r} was blocked (this run must not use the network)")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo
