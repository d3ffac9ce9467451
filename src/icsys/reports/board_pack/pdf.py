"""HTML to PDF with WeasyPrint (print CSS: A4, running headers, page numbers).

WeasyPrint needs the system's Pango library; without it :func:`write_pdf` raises a
:class:`~icsys.errors.UserError` saying so (the HTML pack needs nothing).
"""

from __future__ import annotations

import logging

from icsys.errors import UserError

PANGO_HINT = (
    "PDF board packs need the system's Pango library for WeasyPrint "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0); "
    "use --format html meanwhile"
)


def pdf_unavailable() -> str | None:
    """Why PDFs cannot be made here, or ``None`` when they can."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401, PLC0415 - needs Pango
    except OSError as exc:
        return f"{PANGO_HINT} ({exc})"
    return None


def write_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (no external resources are fetched)."""
    reason = pdf_unavailable()
    if reason is not None:
        raise UserError(reason)
    import weasyprint  # noqa: PLC0415 - checked above

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf()
    return pdf


def _refuse_fetch(url: str, *_args: object, **_kwargs: object) -> dict[str, object]:
    raise UserError(f"a board pack is self-contained; it may not fetch {url}")
