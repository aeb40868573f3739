"""Media commands: ``madoguchi media rotate-key``, ``media verify``, ``media sweep``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mediastore.retention.cli import add_commands as add_retention_commands
from mediastore.store.config import store_from_settings
from mediastore.store.rotation import rotate_all
from mediastore.store.store import MediaStore
from mediastore.store.verify import verify_files
from realtime.errors import MadoguchiError
from realtime.settings import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``media`` command group."""
    media = sub.add_parser("media", help="暗号化メディアファイル（録音・FAX・添付）の管理")
    commands = media.add_subparsers(dest="media_command", required=True)

    rotate = commands.add_parser(
        "rotate-key",
        help="全ファイルのデータ鍵を現在のマスター鍵で包み直す（ヘッダーのみ書き換え）",
    )
    rotate.set_defaults(handler=_rotate)

    verify = commands.add_parser("verify", help="全ファイルの完全性（改ざん・破損）を検査する")
    verify.add_argument("file_ids", nargs="*", metavar="FILE_ID", help="検査するID（省略時は全て）")
    verify.set_defaults(handler=_verify)

    sweep = commands.add_parser("sweep", help="中断された書き込みの一時ファイルを削除する")
    sweep.add_argument(
        "--min-age",
        type=float,
        default=0.0,
        help="この秒数より古い一時ファイルだけを削除する（既定: 0）",
    )
    sweep.set_defaults(handler=_sweep)

    add_retention_commands(commands)

    for parser in (rotate, verify, sweep):
        parser.add_argument(
            "--root", type=Path, default=None, help="メディアフォルダ（既定: DATA_DIR/media）"
        )


def _store(args: argparse.Namespace) -> MediaStore:
    settings = load_settings(env_file=Path(".env"))
    root: Path | None = args.root
    return store_from_settings(settings, root=root)


def _emit(report: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")


def _fail(exc: MadoguchiError) -> int:
    sys.stderr.write(f"{exc.message} ({exc.error_id}: {exc})\n")
    return 2


def _rotate(args: argparse.Namespace) -> int:
    try:
        report = rotate_all(_store(args))
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(report.as_dict())
    if not report.ok:
        sys.stderr.write(
            "鍵を包み直せなかったファイルがあります（ファイルは変更していません）: "
            f"鍵不明 {len(report.unknown_key)} 件, 改ざん {len(report.tampered)} 件\n"
        )
        return 1
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        store = _store(args)
        report = verify_files(store, file_ids=list(args.file_ids) or None)
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(report.as_dict())
    if not report.all_ok:
        sys.stderr.write(
            f"問題のあるファイルがあります: 改ざん・破損 {len(report.tampered)} 件, "
            f"鍵不明 {len(report.key_missing)} 件\n"
        )
        return 1
    return 0


def _sweep(args: argparse.Namespace) -> int:
    try:
        report = _store(args).sweep_incomplete(min_age_seconds=args.min_age)
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(
        {
            "partials_removed": report.partials_removed,
            "journals_replayed": report.journals_replayed,
            "journals_discarded": report.journals_discarded,
        }
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the media commands on their own (``python -m mediastore.cli media verify``)."""
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
