"""One exception base for the whole server: a kebab-case error id, a status and a Japanese message.

Clients see the id and the message, never a stack trace or internal detail (N-SEC-6).
"""

from __future__ import annotations

from typing import Any, ClassVar


class MadoguchiError(Exception):
    """Base of every error the server reports to a client."""

    error_id: ClassVar[str] = "internal-error"
    status_code: ClassVar[int] = 500
    message_ja: ClassVar[str] = "システムエラーが発生しました。時間をおいて再度お試しください。"
    temporary: ClassVar[bool] = False
    """A 503 the client should see as is (a passing condition such as no switch leader); other
    server faults (>= 500) reach the client only as internal-error with a reference number."""

    def __init__(self, message_ja: str | None = None, **data: Any) -> None:
        self.message = message_ja or self.message_ja
        self.data = data
        super().__init__(f"{self.error_id}: {data}" if data else self.error_id)

    def public(self) -> dict[str, Any]:
        """What a client may see."""
        body: dict[str, Any] = {"error": self.error_id, "message": self.message}
        fields = self.data.get("fields")
        if isinstance(fields, dict):
            body["fields"] = fields
        return body


class ConfigurationError(MadoguchiError):
    error_id = "configuration-missing"
    message_ja = "設定が不足しているため起動できません。"

    def __init__(self, *, missing: list[str]) -> None:
        super().__init__(missing=missing)
        self.missing = missing

    def __str__(self) -> str:
        return "production mode needs: " + ", ".join(self.missing)


class NotAuthenticated(MadoguchiError):
    error_id = "not-authenticated"
    status_code = 401
    message_ja = "サインインしてください。"


class SessionExpired(NotAuthenticated):
    error_id = "session-expired"
    message_ja = "セッションの有効期限が切れました。もう一度サインインしてください。"


class PermissionDenied(MadoguchiError):
    error_id = "permission-denied"
    status_code = 403
    message_ja = "この操作を行う権限がありません。"


class SecondFactorRequired(PermissionDenied):
    error_id = "second-factor-required"
    message_ja = "二要素認証を完了してください。"


class CsrfFailed(MadoguchiError):
    error_id = "csrf-failed"
    status_code = 403
    message_ja = "画面の有効期限が切れました。ページを再読み込みしてから操作してください。"


class InvalidCredentials(MadoguchiError):
    error_id = "invalid-credentials"
    status_code = 401
    message_ja = "ユーザーIDまたはパスワードが正しくありません。"


class AccountLocked(MadoguchiError):
    error_id = "account-locked"
    status_code = 429
    message_ja = (
        "サインインの失敗が続いたため、一時的にロックしています。"
        "しばらくしてから再度お試しください。"
    )


class AccountDisabled(InvalidCredentials):
    """Reported to the client exactly like wrong credentials, so accounts cannot be probed."""

    error_id = "invalid-credentials"


class InvalidTotp(MadoguchiError):
    error_id = "invalid-totp"
    status_code = 401
    message_ja = "確認コードが正しくありません。"


class ValidationFailed(MadoguchiError):
    error_id = "validation-failed"
    status_code = 422
    message_ja = "入力内容に誤りがあります。"

    def __init__(self, message_ja: str | None = None, *, fields: dict[str, str]) -> None:
        super().__init__(message_ja, fields=fields)
        self.fields = fields


class MalformedJson(MadoguchiError):
    error_id = "malformed-json"
    status_code = 400
    message_ja = "リクエストの形式が正しくありません。"


class RequestTooLarge(MadoguchiError):
    error_id = "request-too-large"
    status_code = 413
    message_ja = "送信されたデータが大きすぎます。"


class NotFound(MadoguchiError):
    error_id = "not-found"
    status_code = 404
    message_ja = "ページが見つかりません。"


class MethodNotAllowed(MadoguchiError):
    error_id = "method-not-allowed"
    status_code = 405
    message_ja = "この操作は許可されていません。"


class Conflict(MadoguchiError):
    error_id = "conflict"
    status_code = 409
    message_ja = "他の操作と競合しました。画面を更新してから再度お試しください。"
