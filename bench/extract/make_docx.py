"""Writes packages/extract/src/fixtures/docx/sample.docx with python-docx (a writer we did not
write), for the DOCX test: heading styles 1-3, paragraphs, bullet and numbered lists, a table
with a merged cell, and Chinese text.

    .cache/extract-venv/bin/python bench/extract/make_docx.py   (venv made by npm run bench:extract)
"""
import os
import docx

out = os.path.join(os.path.dirname(__file__), '../../packages/extract/src/fixtures/docx/sample.docx')
d = docx.Document()
d.add_heading('Harbour Survey 2026', level=1)
d.add_paragraph('This survey records the state of the inner harbour after the winter storms.')
d.add_heading('1 Findings', level=2)
d.add_paragraph('Three berths need dredging before the summer season.')
d.add_heading('1.1 Berths', level=3)
for item in ['Berth A silted to 4.1 metres.', 'Berth B is clear.', 'Berth C lost two fenders.']:
    d.add_paragraph(item, style='List Bullet')
d.add_heading('2 Actions', level=2)
for item in ['Dredge berth A.', 'Replace the fenders of berth C.']:
    d.add_paragraph(item, style='List Number')
t = d.add_table(rows=3, cols=3)
cells = [['Berth', 'Depth', 'Status'], ['A', '4.1', 'dredge'], ['B', '6.0', 'clear']]
for r, row in enumerate(cells):
    for c, text in enumerate(row):
        t.cell(r, c).text = text
t.cell(0, 1).merge(t.cell(0, 2)).text = 'Depth and status'
d.add_paragraph('港口内的三个泊位需要在夏季之前完成疏浚。')
d.save(out)
print('wrote', out)
