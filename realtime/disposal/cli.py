"""``madoguchi dispose``: erase all data at the end of the contract and write the certificate."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from realtime.disposal.service import dispose
from realtime.errors import MadoguchiError
from realtime.settings import load_settings

CONFIRM = "ERASE-ALL"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dispose`` command."""
    parser = sub.add_parser(
        "dispose",
        help="契約終了時に全データを消去し、消去証明書を書き出す（元に戻せません）",
    )
    parser.add_argument("--operator", required=True, help="作業の担当者名（証明書に記載）")
    parser.add_argument(
        "--out", type=Path, required=True, help="消去証明書（Markdown）の書き出し先（別の媒体）"
    )
    parser.add_argument(
        "--include-backups", action="store_true", help="バックアップ先の全世代も消去する"
    )
    parser.add_argument(
        "--confirm", default="", help=f"確認のため {CONFIRM} と入力（なければ何もしない）"
    )
    parser.set_defaults(handler=_dispose)


def _dispose(args: argparse.Namespace) -> int:
    if args.confirm != CONFIRM:
        sys.stderr.write(
            "全データを消去します。元に戻せません。"
            f"実行するには --confirm {CONFIRM} を付けてください。"
            "（先に madoguchi export csv で市へ引き渡すデータを書き出してください）\n"
        )
        return 2
    settings = load_settings(env_file=Path(".env"))
    try:
        certificate = dispose(
            settings,
            operator=args.operator,
            out=args.out.resolve(),
            include_backups=args.include_backups,
        )
    except MadoguchiError as exc:
        reason = exc.data.get("reason", "")
        sys.stderr.write(f"{exc.message} {reason} ({exc.error_id})\n")
        return 1
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    sys.stdout.write(
        f"消去しました: {len(certificate.tables)} 表・{certificate.rows} 行、"
        f"メディア {certificate.media.files} ファイル。証明書: {args.out}（SHA-256 {digest}）\n"
    )
    return 0
