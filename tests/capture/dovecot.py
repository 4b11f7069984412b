"""A throw-away Dovecot IMAP server on 127.0.0.1 for the tests: its own config, user, password
and Maildir under a temporary directory, started with Debian's ``dovecot`` binary (``.ci/run``
installs dovecot-imapd when missing). When it cannot start, the tests that need it skip with
the reason, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
USER, PASSWORD = "ana", "s3cret pass"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Dovecot is needed in CI (CI=true): {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dovecot:
    root: Path
    port: int
    uid: int
    gid: int
    config: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def maildir(self) -> Path:
        return self.root / "home" / USER / "Maildir"

    def url(self, folder: str = "INBOX", port: int | None = None) -> str:
        return f"imap://{USER}@127.0.0.1:{port or self.port}/{folder}"

    def deliver(self, *messages: EmailMessage, folder: str | None = None) -> None:
        path = self.maildir if folder is None else self.maildir / f".{folder}"
        box = mailbox.Maildir(path, create=True)
        for m in messages:
            box.add(m)
        box.close()
        for dirpath, _dirs, files in os.walk(self.root / "home"):
            os.chown(dirpath, self.uid, self.gid)
            for name in files:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _config(root: Path, port: int, uid: int, gid: int, me: str | None) -> str:
    users = f"default_internal_user = {me}\ndefault_login_user = {me}\n" if me else ""
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


def start(root: Path) -> Dovecot:
    if DOVECOT is None:
        unavailable("no dovecot binary (apt-get install dovecot-imapd)")
    if os.geteuid() == 0:  # Dovecot will not serve mail as root: the package's own user does
        try:
            entry = pwd.getpwnam("dovecot")
        except KeyError:
            unavailable("running as root and there is no 'dovecot' user to serve mail as")
        uid, gid, me = entry.pw_uid, entry.pw_gid, None
    else:
        uid, gid, me = os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name
    for sub in ("run", "state", f"home/{USER}"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, uid, gid, me))
    server = Dovecot(root, port, uid, gid, config)
    server.deliver()  # an empty INBOX, owned by the mail user
    # in the foreground (-F): the test owns the process, and no daemon keeps its pipes open
    server.process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(root / "dovecot.stderr").open("wb"),
    )
    for _ in range(200):
        if server.process.poll() is not None:
            error = (root / "dovecot.stderr").read_text(errors="replace").strip()
            unavailable(f"dovecot did not start (exit {server.process.returncode}): {error[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
    unavailable(f"dovecot did not listen on 127.0.0.1:{port}: {log[-500:]}")
    raise AssertionError("unreachable")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # not under pytest's tmp dir: that is private to the test user, and the server's mail
    # processes run as another user (when the tests run as root); a short path also keeps the
    # server's Unix sockets under their length limit
    root = Path(tempfile.mkdtemp(prefix="minicrm-dovecot-"))
    root.chmod(0o755)
    try:
        server = start(root)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


class CuttingProxy:
    """A TCP proxy to the server that drops the connection once it has passed ``limit`` bytes
    from the server: an IMAP server that goes away in the middle of a fetch."""

    def __init__(self, port: int, limit: int, listen: int = 0) -> None:
        self.target = port
        self.limit = limit
        self.listener = socket.create_server(("127.0.0.1", listen))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        upstream = socket.create_connection(("127.0.0.1", self.target))
        threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
        self._pipe(upstream, client, self.limit)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        passed = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if limit is not None and passed + len(data) > limit:
                    dst.sendall(data[: limit - passed])
                    break
                dst.sendall(data)
                passed += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.listener.close()
