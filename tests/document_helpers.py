"""Saved web pages and PDFs written for the tests, in the layouts real outlets use.

The pages are made up (places real, events invented), shaped like the outlets' templates:
a wire story with a dateline and JSON-LD, a Kurdish outlet's page with Open Graph tags only, a
page with a caption naming another city, related links and a cookie banner. The PDFs are
built byte by byte here (one Helvetica text object per line), so no PDF writer is needed.
"""
from __future__ import annotations

WIRE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Roadside bomb hits army patrol near Daquq | Example Wire</title>
<meta property="og:title" content="Roadside bomb hits army patrol near Daquq">
<meta property="og:site_name" content="Example Wire">
<link rel="canonical" href="https://wire.example/world/daquq-patrol-bomb">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Roadside bomb hits army patrol near Daquq", "datePublished": "2024-03-09T10:15:00+03:00",
 "author": {"@type": "Person", "name": "Sara Example"},
 "publisher": {"@type": "Organization", "name": "Example Wire"}}</script>
</head><body>
<div id="cookie-consent">This site uses cookies. <button>Accept all</button></div>
<nav class="site-nav"><a href="/">Home</a><a href="/world">World</a><a href="/sport">Sport</a></nav>
<main><article>
<h1>Roadside bomb hits army patrol near Daquq</h1>
<p class="byline">By Sara Example</p>
<time datetime="2024-03-09">9 March 2024</time>
<figure><img src="funeral.jpg" alt=""><figcaption>Mourners at a funeral in Erbil last year.
Photo: Example Wire</figcaption></figure>
<p>KIRKUK, Iraq (Example Wire) — A roadside bomb struck an Iraqi army patrol near Daquq on
Friday, wounding three soldiers, security officials said.</p>
<p>The device went off as the patrol drove along a farm road south of the town, the officials
said. No group claimed the attack.</p>
<p class="wp-caption-text">A checkpoint outside Tuz Khurmatu. Photo: Example Wire</p>
<p>Islamic State cells still carry out hit-and-run attacks in the rural areas between Kirkuk
and Salahaddin provinces.</p>
</article></main>
<aside class="related"><h2>Related</h2><ul>
<li><a href="/a">Drone strike reported in Sinjar</a></li>
<li><a href="/b">Protest in Sulaimani over salaries</a></li></ul></aside>
<section class="comments"><p>Reader: what about Basra?</p></section>
<footer>© 2024 Example Wire. All rights reserved.</footer>
</body></html>
"""

#: A Kurdish outlet's English page: Open Graph only, the date in <time>, no JSON-LD.
OPEN_GRAPH_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta property="og:title" content="Turkish drone strike reported in Sidakan">
<meta property="og:site_name" content="Example Kurdish News">
<meta property="og:url" content="https://kurd.example/en/news/sidakan-strike">
<meta property="article:published_time" content="2023-08-14T09:00:00Z">
</head><body><header><a href="/">Example Kurdish News</a></header>
<div class="article-body">
<h1>Turkish drone strike reported in Sidakan</h1>
<p>ERBIL, Kurdistan Region — A Turkish drone struck a vehicle near Sidakan in Erbil province on
Sunday, a local official said.</p>
<p>The official said the strike hit the vehicle on a mountain road outside the town.</p>
</div>
<div class="read-more"><a href="/x">Read more: elections in Duhok</a></div>
</body></html>
"""

#: A page with no article at all: navigation and scripts.
EMPTY_PAGE = """<!doctype html><html><head><title>Example</title></head><body>
<nav><a href="/">Home</a></nav><script>var x = 1;</script></body></html>"""


def pdf_bytes(pages: list[list[str]], title: str | None = None, created: str | None = None) -> bytes:
    """A minimal valid PDF: each page a list of text lines (Latin-1), with optional
    /Title and /CreationDate (e.g. "D:20240511083000Z") in its Info dictionary."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then per page a page object and a content stream.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        content = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            content.append(f"({esc}) Tj T*")
        content.append("ET")
        stream = "\n".join(content).encode("latin-1")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info = []
    if title:
        info.append(f"/Title ({title})")
    if created:
        info.append(f"/CreationDate ({created})")
    objects.append(f"<< {' '.join(info)} >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def encrypted_pdf(data: bytes, password: str = "secret") -> bytes:
    """The same PDF, protected with a user password (pypdf's writer)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


SITREP_PAGES = [
    ["Situation Report No. 12", "Northern Iraq, 10 May 2024", "",
     "On 8 May an improvised explosive device exploded near Sinjar,",
     "killing one civilian, local authorities said."],
    ["Displacement", "Families returned to Sinuni sub-district during the week."],
]
