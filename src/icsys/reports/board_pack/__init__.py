"""Board packs: a body's meeting as a cover, agenda, performance report and decisions log, in
HTML and PDF (``docs/board-packs.md``)."""

from icsys.reports.board_pack.model import AUDIENCES, Audience, BoardPack
from icsys.reports.board_pack.service import (
    build_board_pack,
    cached_pdf,
    pack_name,
    write_board_pack,
)

__all__ = [
    "AUDIENCES",
    "Audience",
    "BoardPack",
    "build_board_pack",
    "cached_pdf",
    "pack_name",
    "write_board_pack",
]
