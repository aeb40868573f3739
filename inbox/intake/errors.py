"""Errors of the IMAP intake; each carries the mailbox and what went wrong (never a password)."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class ImapError(MadoguchiError):
    """Base: the mail server could not be used; the intake retries with back-off."""

    error_id = "imap-error"
    status_code = 503
    message_ja = "メールサーバーに接続できません。しばらくして自動的に再接続します。"
    alert_kind = "error"

    def __init__(self, *, mailbox: str, reason: str) -> None:
        super().__init__(mailbox=mailbox, reason=reason)
        self.mailbox = mailbox
        self.reason = reason


class ImapConnectFailed(ImapError):
    """No TCP/TLS connection or no server greeting."""

    error_id = "imap-connect-failed"
    message_ja = "メールサーバーに接続できません。しばらくして自動的に再接続します。"
    alert_kind = "connect-failed"


class ImapLoginFailed(ImapError):
    """The server refused the user name or password."""

    error_id = "imap-login-failed"
    message_ja = "メールサーバーへのログインに失敗しました。受信メールの設定を確認してください。"
    alert_kind = "login-failed"


class ImapConnectionLost(ImapError):
    """The connection dropped (reset, server restart, timeout) during a command."""

    error_id = "imap-connection-lost"
    message_ja = "メールサーバーとの接続が切れました。自動的に再接続します。"
    alert_kind = "connection-lost"


class ImapCommandFailed(ImapError):
    """The server answered NO or BAD to a command the intake needs."""

    error_id = "imap-command-failed"
    message_ja = "メールサーバーがコマンドを拒否しました。受信メールの設定を確認してください。"
    alert_kind = "command-failed"
