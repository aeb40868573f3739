"""A real Dovecot (Debian's dovecot-imapd) on loopback, in a throwaway folder, for tests and the
benchmark. Plain-text login without TLS is allowed because it only listens on 127.0.0.1."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import free_port, wait_for_port

DOVECOT = "/usr/sbin/dovecot"
MAIL_USER = "nobody"
MAIL_GROUP = "nogroup"

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.1/32
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={base}/mail/%u
}}
mail_location = maildir:~/Maildir
# IDLE learns of new mail through inotify, or else by polling every 30 s by default; where
# inotify instances run out (many test servers at once) a 1 s poll keeps IDLE prompt.
mailbox_idle_check_interval = 1 secs
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
{extra}
"""


def available() -> bool:
    """Whether Dovecot is installed and we can run it (as root, mail runs as ``nobody``)."""
    return Path(DOVECOT).exists() and os.geteuid() == 0


@dataclass
class Dovecot:
    """One running (or stopped) Dovecot instance with its users."""

    base: Path
    port: int
    users: dict[str, str]
    extra: str = ""
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def write_config(self) -> Path:
        for sub in ("run", "state", "mail"):
            (self.base / sub).mkdir(exist_ok=True)
        shutil.chown(self.base / "mail", user=MAIL_USER, group=MAIL_GROUP)
        self.write_passwd()
        conf = self.base / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                base=self.base, port=self.port, user=MAIL_USER, group=MAIL_GROUP, extra=self.extra
            ),
            encoding="ascii",
        )
        return conf

    def write_passwd(self) -> None:
        lines = [f"{user}:{{PLAIN}}{password}" for user, password in self.users.items()]
        (self.base / "passwd").write_text("\n".join(lines) + "\n", encoding="ascii")

    def set_password(self, user: str, password: str) -> None:
        """Change a password; Dovecot re-reads the passwd file when it changes."""
        self.users[user] = password
        self.write_passwd()
        stat = (self.base / "passwd").stat()
        os.utime(self.base / "passwd", ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    def start(self) -> None:
        conf = self.write_config()
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, proc=self.proc, what="dovecot")

    def stop(self) -> None:
        """Stop the server: every client connection is closed by the server side."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.proc = None

    def kill_sessions(self) -> int:
        """SIGKILL the IMAP session processes of this server (a connection reset); returns how
        many were killed. The server itself keeps running."""
        assert self.proc is not None
        killed = 0
        for child in _children(self.proc.pid):
            if _comm(child) == "imap":
                with suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
                    killed += 1
        return killed

    def connect(self, user: str) -> imaplib.IMAP4:
        """A blocking client logged in as ``user`` (for appending test mail)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(user, self.users[user])
        return client

    def append(self, user: str, messages: list[bytes], folder: str = "INBOX") -> list[int]:
        """APPEND raw messages over IMAP; returns the UIDs the server gave them."""
        uids: list[int] = []
        client = self.connect(user)
        try:
            for raw in messages:
                typ, data = client.append(folder, None, None, raw)
                assert typ == "OK", data
                text = data[0].decode() if data and isinstance(data[0], bytes) else ""
                # "[APPENDUID <uidvalidity> <uid>] Append completed"
                uids.append(int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1]))
        finally:
            client.logout()
        return uids

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        client = self.connect(user)
        try:
            client.select(folder)
            _, data = client.response("UIDVALIDITY")
            assert data
            assert data[0] is not None
            return int(data[0])
        finally:
            client.logout()

    def rebuild_index(self, user: str) -> int:
        """Restart the server with the user's maildir index thrown away, as after a server
        rebuild: the messages stay but get new UIDs under a new UIDVALIDITY (returned)."""
        old = self.uidvalidity(user)
        maildir = self.base / "mail" / user / "Maildir"
        for _ in range(5):
            self.stop()
            for name in os.listdir(maildir):
                if name.startswith("dovecot"):
                    path = maildir / name
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
            self.start()
            new = self.uidvalidity(user)  # Dovecot derives it from the clock
            if new != old:
                return new
        raise AssertionError("Dovecot kept the same UIDVALIDITY")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry))
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@contextmanager
def dovecot_server(users: dict[str, str], *, extra: str = "") -> Iterator[Dovecot]:
    """Start Dovecot on a free loopback port with these users (maildir, no TLS)."""
    pwd.getpwnam(MAIL_USER)
    base = Path(tempfile.mkdtemp(prefix="madoguchi-dovecot-"))
    base.chmod(0o755)
    server = Dovecot(base=base, port=free_port(), users=dict(users), extra=extra)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
