"""Reading throughput of saved web pages and PDF reports (pages/s), beside the bare libraries.

Generated documents only (tests/document_helpers.py shapes): N web pages in an outlet's layout
with a different story each, and N PDFs of a few pages. Each reader is timed against its
peer in the same run: geo's HTML reader against `trafilatura.extract` on the same pages, and
geo's PDF reader against pypdf's text extraction alone, so the figures say what geo's own
work (furniture removal, metadata, report building) costs on top of the library.

    python bench/bench_documents.py [--pages 300] [--pdfs 100]
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from document_helpers import SITREP_PAGES, WIRE_PAGE, pdf_bytes  # noqa: E402

TOWNS = ["Daquq", "Hawija", "Tuz Khurmatu", "Sinjar", "Makhmour", "Khanaqin", "Kifri", "Jalawla"]


def _pages(n: int) -> list[str]:
    return [WIRE_PAGE.replace("Daquq", TOWNS[i % len(TOWNS)]).replace(
        "three soldiers", f"{i % 9 + 2} soldiers") for i in range(n)]


def _pdfs(n: int) -> list[bytes]:
    out = []
    for i in range(n):
        pages = [[line.replace("Sinjar", TOWNS[i % len(TOWNS)]) for line in page] for page in SITREP_PAGES]
        out.append(pdf_bytes(pages * 2, title=f"Situation report {i}", created="D:20240510120000Z"))
    return out


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--pdfs", type=int, default=100)
    args = parser.parse_args()

    import pypdf
    import trafilatura

    from geo.reports import read_reports

    pages = _pages(args.pages)
    pdfs = _pdfs(args.pdfs)
    with tempfile.TemporaryDirectory() as tmp:
        html_dir, pdf_dir = Path(tmp, "html"), Path(tmp, "pdf")
        html_dir.mkdir()
        pdf_dir.mkdir()
        for i, page in enumerate(pages):
            (html_dir / f"{i:05d}.html").write_text(page, encoding="utf-8")
        for i, data in enumerate(pdfs):
            (pdf_dir / f"{i:05d}.pdf").write_bytes(data)
        read_reports([html_dir / "00000.html"]).__next__()  # imports and caches warm

        t = time.perf_counter()
        for page in pages:
            trafilatura.extract(page, with_metadata=True)
        peer_html = time.perf_counter() - t
        t = time.perf_counter()
        failures: list[str] = []
        n_html = sum(1 for _ in read_reports([html_dir], failures))
        ours_html = time.perf_counter() - t
        assert n_html == len(pages) and not failures, failures[:3]

        t = time.perf_counter()
        n_pdf_pages = 0
        for data in pdfs:
            reader = pypdf.PdfReader(io.BytesIO(data))
            n_pdf_pages += len(reader.pages)
            "".join(p.extract_text() for p in reader.pages)
        peer_pdf = time.perf_counter() - t
        t = time.perf_counter()
        n_pdf = sum(1 for _ in read_reports([pdf_dir], failures))
        ours_pdf = time.perf_counter() - t
        assert n_pdf == len(pdfs) and not failures, failures[:3]

    print(f"HTML: {len(pages)} pages   geo {_rate(len(pages), ours_html)}   "
          f"trafilatura.extract {_rate(len(pages), peer_html)}   ratio {peer_html / ours_html:.2f}")
    print(f"PDF:  {len(pdfs)} files, {n_pdf_pages} pages   geo {_rate(n_pdf_pages, ours_pdf)} pages   "
          f"pypdf alone {_rate(n_pdf_pages, peer_pdf)} pages   ratio {peer_pdf / ours_pdf:.2f}")


if __name__ == "__main__":
    main()
