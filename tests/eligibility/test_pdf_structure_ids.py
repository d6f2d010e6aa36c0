"""Chromium's tagged-PDF structure ids are renumbered so that two prints give the same bytes."""

from __future__ import annotations

from pathlib import Path

from macros.eligibility import pdf


def _printed(first: int) -> bytes:
    """A tagged PDF's structure ids as Chromium writes them, starting at DOM node ``first``."""
    a, b, c = (b"(node%08d)" % n for n in (first, first + 5, first + 40))
    return (
        b"%PDF-1.7\n56 0 obj\n<</S /TH\n/ID " + a + b">>\nendobj\n63 0 obj\n<</S /TH\n/ID " + b
        + b">>\nendobj\n65 0 obj\n<</A [<</O /Table\n/Headers [" + a + b" " + c + b"]>>]>>\nendobj\n"
        b"122 0 obj\n<</Limits [" + a + b" " + c + b"]\n/Names [" + a + b" 56 0 R " + b + b" 63 0 R "
        + c + b" 68 0 R]>>\nendobj\n"
    )


def test_two_prints_that_differ_only_by_the_node_counter_become_identical(tmp_path: Path) -> None:
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    one.write_bytes(_printed(266))
    two.write_bytes(_printed(265))
    assert one.read_bytes() != two.read_bytes()
    for path in (one, two):
        pdf.fix_structure_ids(path)
    assert one.read_bytes() == two.read_bytes()
    fixed = one.read_bytes()
    assert len(fixed) == len(_printed(266))  # offsets in the cross-reference table stay valid
    assert b"/Names [(node00000001) 56 0 R (node00000002) 63 0 R (node00000003) 68 0 R]" in fixed
    assert b"/Headers [(node00000001) (node00000003)]" in fixed


def test_a_pdf_without_structure_ids_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<</Title (node1234)>>\nendobj\n")
    pdf.fix_structure_ids(path)
    assert path.read_bytes() == b"%PDF-1.7\n1 0 obj\n<</Title (node1234)>>\nendobj\n"
