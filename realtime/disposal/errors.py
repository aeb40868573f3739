"""Why a disposal was refused; nothing has been touched when one is raised."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class DisposalRefused(MadoguchiError):
    error_id = "disposal-refused"
    status_code = 409
    message_ja = "データ消去を実行できません。理由を確認してください。"


class DisposalIncomplete(MadoguchiError):
    error_id = "disposal-incomplete"
    message_ja = (
        "データ消去の後に残っているファイルがあります。証明書の「残存」を確認してください。"
    )
