"""A corpus of workbooks another program made, written at test time by XlsxWriter (PyPI):
charts, pictures, comments, text boxes, buttons, checkboxes, header images, data
validation, conditional formats, hyperlinks, rich text, tables, array and dynamic
formulas, protection, merged cells, defined names, 1904 dates. Where LibreOffice is
installed, LibreOffice re-saves of some of them are made too (tests/workbook/test_corpus.py)."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path
from typing import Callable

import xlsxwriter


def png(width: int = 4, height: int = 4) -> bytes:
    """A small red PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _chart(book, sheet):
    for column, values in enumerate(([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])):
        sheet.write_column(0, column, values)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"values": "=Sheet1!$A$1:$A$5"})
    sheet.insert_chart("E9", chart)


def _chartsheet(book, sheet):
    sheet.write_column(0, 0, [1, 2, 3])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Sheet1!$A$1:$A$3"})
    book.add_chartsheet().set_chart(chart)


def _picture(book, sheet):
    sheet.insert_image("E9", "red.png", {"image_data": BytesIO(png())})


def _picture_in_cell(book, sheet):
    sheet.embed_image("B2", "red.png", {"image_data": BytesIO(png())})


def _header_picture(book, sheet):
    sheet.set_header("&L&G", {"image_left": "red.png", "image_data_left": BytesIO(png())})


def _comment(book, sheet):
    sheet.write("A1", "Foo")
    sheet.write_comment("B2", "Some text")


def _textbox(book, sheet):
    sheet.insert_textbox("E9", "A text box")


def _button(book, sheet):
    sheet.insert_button("C2", {"caption": "Press"})


def _checkbox(book, sheet):
    sheet.insert_checkbox("E9", True)


def _validation(book, sheet):
    sheet.data_validation("C2", {"validate": "list", "source": ["Foo", "Bar", "Baz"]})


def _conditional(book, sheet):
    sheet.write_column("A1", [10, 20, 30])
    sheet.conditional_format("A1:A3", {"type": "cell", "criteria": ">", "value": 15,
                                       "format": book.add_format({"bg_color": "#FFC7CE"})})


def _hyperlink(book, sheet):
    sheet.write_url("A1", "https://example.com/", string="a link")


def _rich_text(book, sheet):
    sheet.write_rich_string("A1", "plain ", book.add_format({"bold": True}), "bold", " and plain")


def _table(book, sheet):
    sheet.add_table("B3:D6", {"columns": [{"header": "Name"}, {"header": "Amount"}, {"header": "Note"}]})


def _formulas(book, sheet):
    sheet.write_column("B1", [1, 2, 3])
    sheet.write_array_formula("A1:A3", "{=SUM(B1:B3*2)}")
    sheet.write_dynamic_array_formula("D1", "=SORT(B1:B3)")


def _protection(book, sheet):
    sheet.write("A1", "locked")
    sheet.protect("", {"format_cells": True})


def _merged(book, sheet):
    sheet.merge_range("B2:D3", "merged", book.add_format({"align": "center"}))


def _names(book, sheet):
    sheet.write("A1", 1)
    book.define_name("Rate", "=0.98")
    book.define_name("Sheet1!Local", "=Sheet1!$A$1")
    sheet.print_area("A1:E6")


def _dates_1904(book, sheet):
    sheet.write_datetime("A1", __import__("datetime").datetime(2026, 3, 4), book.add_format({"num_format": 14}))


MAKERS: dict[str, Callable] = {
    "chart": _chart, "chartsheet": _chartsheet, "picture": _picture, "picture-in-cell": _picture_in_cell,
    "header-picture": _header_picture, "comment": _comment, "textbox": _textbox, "button": _button,
    "checkbox": _checkbox, "validation": _validation, "conditional-format": _conditional, "hyperlink": _hyperlink,
    "rich-text": _rich_text, "table": _table, "array-and-dynamic-formulas": _formulas, "protection": _protection,
    "merged-cells": _merged, "defined-names": _names, "dates-1904": _dates_1904,
}
# Re-saved by LibreOffice (when installed): its own package layout, styles and relationships.
LIBREOFFICE = ("chart", "picture", "comment", "textbox", "conditional-format", "validation")


def make(name: str, path: Path) -> Path:
    """The corpus workbook `name` written at `path`."""
    options = {"date_1904": True} if name == "dates-1904" else {}
    book = xlsxwriter.Workbook(str(path), options)
    MAKERS[name](book, book.add_worksheet())
    book.close()
    return path
