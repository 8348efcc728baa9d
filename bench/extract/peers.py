"""The Python peers of bench/extract/run.ts, each timed in this one process after a warm-up
pass over all files:

  pymupdf4llm  pymupdf4llm's to_markdown (source of its 0.0.2 release, the last that runs on
               Debian's PyMuPDF 1.21; PyMuPDF 1.21 has no find_tables, so it finds no tables)
  pdfplumber   pdfplumber's page.extract_text() (plain text, pages joined by blank lines)

Prints one JSON line per file: {"file", "seconds", "pages", "markdown"}.

    python peers.py TOOL [--peers-dir DIR] FILE...
"""
import json
import logging
import sys
import time
import types

args = sys.argv[1:]
tool = args.pop(0)
peers_dir = None
if args and args[0] == '--peers-dir':
    peers_dir = args[1]
    args = args[2:]

if tool == 'pymupdf4llm':
    import fitz

    if not hasattr(fitz.Page, 'find_tables'):
        # PyMuPDF < 1.23 has no table finder: report no tables rather than crash.
        fitz.Page.find_tables = lambda self, *a, **k: types.SimpleNamespace(tables=[])
    if not hasattr(fitz, 'pymupdf_version_tuple'):
        # 0.0.2 refuses PyMuPDF < 1.24 up front; everything else it calls exists in 1.21.
        fitz.pymupdf_version_tuple = (1, 24, 0)
    sys.path.insert(0, peers_dir)
    from pdf4llm import to_markdown

    def convert(path):
        doc = fitz.open(path)
        try:
            return to_markdown(doc), doc.page_count
        finally:
            doc.close()
elif tool == 'pdfplumber':
    import pdfplumber

    # pdfminer warns about every font without a FontBBox (Chromium writes such fonts).
    logging.getLogger('pdfminer').setLevel(logging.ERROR)

    def convert(path):
        with pdfplumber.open(path) as pdf:
            return '\n\n'.join(p.extract_text() or '' for p in pdf.pages), len(pdf.pages)
else:
    sys.exit(f'unknown tool {tool}')

for path in args:  # warm-up over the whole set, not timed (as for the JavaScript tools)
    convert(path)
for path in args:
    t0 = time.perf_counter()
    md, pages = convert(path)
    print(json.dumps({'file': path, 'seconds': time.perf_counter() - t0, 'pages': pages, 'markdown': md}, ensure_ascii=False), flush=True)
