"""``localtune s3 ls|cp``: put data into the local S3 and take models out, as with ``aws s3``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from localtune.config import resolve_home
from localtune.runtime.s3 import LocalS3, S3Error

EXIT_ERROR = 1


def _s3(args: argparse.Namespace) -> LocalS3:
    return LocalS3.from_home(resolve_home(args.home))


def cmd_ls(args: argparse.Namespace) -> int:
    try:
        entries = _s3(args).ls(args.uri, recursive=args.recursive)
    except S3Error as exc:
        print(f"localtune s3 ls: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for entry in entries:
        if entry.is_prefix:
            print(f"{'PRE':>12}  {entry.uri}")
        else:
            print(f"{entry.size:>12}  {entry.uri}")
    return 0


def cmd_cp(args: argparse.Namespace) -> int:
    try:
        written = _s3(args).cp(args.source, args.destination, recursive=args.recursive)
    except (S3Error, OSError) as exc:
        print(f"localtune s3 cp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for target in written:
        print(f"copied: {target}")
    return 0


def add_parsers(sub: Any) -> None:
    s3 = sub.add_parser("s3", help="the local S3: ls and cp, as with `aws s3`")
    s3_sub = s3.add_subparsers(dest="s3_command", required=True, metavar="COMMAND")
    ls = s3_sub.add_parser("ls", help="buckets, or objects and prefixes under a prefix")
    ls.add_argument("uri", nargs="?", default="s3://", help="s3://bucket/prefix (default: buckets)")
    ls.add_argument("--recursive", action="store_true")
    ls.set_defaults(func=cmd_ls)
    cp = s3_sub.add_parser("cp", help="copy between local paths and s3:// URIs")
    cp.add_argument("source")
    cp.add_argument("destination")
    cp.add_argument("--recursive", action="store_true", help="copy a directory or prefix")
    cp.set_defaults(func=cmd_cp)
