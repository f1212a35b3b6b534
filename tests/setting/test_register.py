"""Tests for reading the consent register (photoaudit.setting.register)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from photoaudit.core.models import PURPOSES
from photoaudit.setting.register import RegisterError, load_register, parse_date, parse_yes_no

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("child_id,name,room,status,leave_date,learning_journey,other_journeys,display,"
          "website,social_media,face_matching,consent_review_due")


def write(tmp_path: Path, text: str, name: str = "children.csv", encoding: str = "utf-8",
          newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def load_text(tmp_path: Path, text: str, **kwargs) -> RegisterError:
    """Load text that must fail; return the error."""
    with pytest.raises(RegisterError) as info:
        load_register(write(tmp_path, text, **kwargs))
    return info.value


# --- happy path -------------------------------------------------------------------------

def test_happy_path(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n"
                 "C001,Amelia Jones,Butterflies,attending,,yes,yes,yes,no,no,yes,2026-09-01\n"
                 "C002,Harry Smith,Caterpillars,left,18/07/2025,yes,no,no,no,no,no,01/09/2025\n")
    register = load_register(path)
    assert list(register.children) == ["C001", "C002"]
    assert register.source == str(path)
    amelia = register.get("C001")
    assert amelia is not None
    assert amelia.name == "Amelia Jones"
    assert amelia.room == "Butterflies"
    assert amelia.status == "attending" and not amelia.has_left
    assert amelia.leave_date is None
    assert amelia.consents == {"learning_journey": True, "other_journeys": True,
                               "display": True, "website": False, "social_media": False}
    assert amelia.face_matching is True
    assert amelia.consent_review_due == date(2026, 9, 1)
    assert amelia.line == 2
    harry = register.children["C002"]
    assert harry.has_left
    assert harry.leave_date == date(2025, 7, 18)
    assert harry.consent_review_due == date(2025, 9, 1)
    assert harry.face_matching is False
    assert harry.line == 3
    assert tuple(harry.consents) == PURPOSES


def test_header_only_gives_empty_register(tmp_path: Path) -> None:
    assert load_register(write(tmp_path, HEADER + "\n")).children == {}


def test_template_is_header_only_and_loads() -> None:
    template = ROOT / "consent_data" / "template" / "children.csv"
    assert template.read_text(encoding="utf-8").strip() == HEADER
    assert load_register(template).children == {}


def test_readme_example_loads(tmp_path: Path) -> None:
    readme = (ROOT / "consent_data" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", readme, re.S)
    assert example is not None
    register = load_register(write(tmp_path, example.group(1)))
    assert set(register.children) == {"C001", "C002", "C003", "C004"}
    zoe = register.children["C002"]
    assert zoe.name == "Zoë Patel"
    assert zoe.status == "attending"
    assert [p for p in PURPOSES if not zoe.allows(p)] == ["other_journeys"]
    oliver = register.children["C004"]
    assert oliver.leave_date == date(2026, 7, 31) and oliver.status == "attending"
    assert not oliver.allows("website") and not oliver.allows("social_media")


def test_columns_any_order_any_case_spaces_and_extra_columns(tmp_path: Path) -> None:
    path = write(tmp_path,
                 " Consent Review Due ;Notes;SOCIAL MEDIA;Social_media_extra;Child_ID;Name;"
                 "Status;Learning journey;Other  journeys;DISPLAY;website;Face matching\n"
                 "2026-01-31;likes sand;yes;whatever;A1;Ann;;no;no;no;no;no\n")
    child = load_register(path).children["A1"]
    assert child.consents["social_media"] is True
    assert child.consents["learning_journey"] is False
    assert child.consent_review_due == date(2026, 1, 31)
    assert child.room == "" and child.leave_date is None
    assert child.status == "attending"


def test_optional_columns_may_be_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "child_id,name,status,learning_journey,other_journeys,display,"
                 "website,social_media,face_matching,consent_review_due\n"
                 "A1,Ann,,y,y,y,y,y,y,\n")
    child = load_register(path).children["A1"]
    assert child.room == "" and child.leave_date is None
    assert child.consent_review_due is None
    assert all(child.consents.values())


# --- yes/no ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["yes", "YES", "Yes", "y", "Y", "true", "TRUE", "True",
                                  "1", "  yes  ", "\tY "])
def test_yes_spellings(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["no", "NO", "No", "n", "N", "false", "False", "0", "",
                                  "   ", " no "])
def test_no_spellings(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["maybe", "yess", "2", "ok", "✓", "x", "-", "not yet"])
def test_not_yes_or_no(text: str) -> None:
    assert parse_yes_no(text) is None


def test_yes_no_spellings_in_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n"
                 "A1,Ann,,,,YES,y,True,1, yes ,Y,2026-01-01\n"
                 "A2,Bob,,,,NO,n,False,0,,N,2026-01-01\n")
    register = load_register(path)
    assert all(register.children["A1"].consents.values())
    assert register.children["A1"].face_matching is True
    assert not any(register.children["A2"].consents.values())
    assert register.children["A2"].face_matching is False


def test_bad_yes_no_names_file_line_and_column(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\n"
                    "A1,Ann,,,,yes,yes,yes,yes,yes,no,2026-01-01\n"
                    "A2,Bob,,,,yes,yes,yes,yes,maybe,no,2026-01-01\n")
    assert str(err) == ('children.csv, line 3, column "social_media": "maybe" is not yes or '
                        'no. Use yes or no (blank means no).')
    assert err.line == 3
    assert err.column == "social_media"
    assert err.path.name == "children.csv"
    assert len(err.problems) == 1
    assert err.problems[0].line == 3 and err.problems[0].column == "social_media"


def test_bad_yes_no_message_quotes_header_as_written(tmp_path: Path) -> None:
    text = HEADER.replace("face_matching", "Face Matching") + "\n"
    err = load_text(tmp_path, text + "A1,Ann,,,,yes,yes,yes,yes,yes,ask mum,2026-01-01\n")
    assert err.column == "face_matching"
    assert str(err) == ('children.csv, line 2, column "Face Matching": "ask mum" is not yes '
                        'or no. Use yes or no (blank means no).')


# --- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2026-09-01", date(2026, 9, 1)),
    ("01/09/2026", date(2026, 9, 1)),
    ("1/9/2026", date(2026, 9, 1)),
    ("12/09/2026", date(2026, 9, 12)),  # day first, never US
    (" 29/02/2028 ", date(2028, 2, 29)),
    ("", None),
    ("  ", None),
])
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "29/02/2027", "2026-02-30", "09/13/2026",
                                  "2026-13-01", "00/01/2026", "Sept 2026", "01/09/26",
                                  "2026/09/01", "01.09.2026", "20260901", "tomorrow"])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert "2026-09-01 or 01/09/2026" in str(info.value)


def test_both_date_forms_in_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n"
                 "A1,Ann,,left,2025-07-18,,,,,,,01/09/2026\n"
                 "A2,Bob,,attending,3/8/2026,,,,,,,2026-9-1\n")
    register = load_register(path)
    assert register.children["A1"].leave_date == date(2025, 7, 18)
    assert register.children["A1"].consent_review_due == date(2026, 9, 1)
    assert register.children["A2"].leave_date == date(2026, 8, 3)  # planned leaving date
    assert register.children["A2"].status == "attending"
    assert register.children["A2"].consent_review_due == date(2026, 9, 1)


def test_bad_date_in_file(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,next September\n")
    assert str(err) == ('children.csv, line 2, column "consent_review_due": "next September" '
                        "is not a date. Write dates as 2026-09-01 or 01/09/2026 (day first).")
    assert err.column == "consent_review_due"


def test_impossible_date_in_file(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,2026-01-01\n"
                    "A2,Bob,,left,31/02/2026,,,,,,,2026-01-01\n")
    assert str(err) == ('children.csv, line 3, column "leave_date": "31/02/2026" is not a '
                        "real date: February 2026 has no day 31. Write dates as 2026-09-01 "
                        "or 01/09/2026 (day first).")


def test_us_date_in_file_explains_day_first(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,09/13/2026\n")
    assert err.line == 2 and err.column == "consent_review_due"
    assert "there is no month 13 (dates are read day first)" in str(err)
    assert "2026-09-01 or 01/09/2026" in str(err)


# --- status ------------------------------------------------------------------------------

def test_status_any_case(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nA1,Ann,,LEFT,,,,,,,,\nA2,Bob,,Attending,,,,,,,,\n"
                 "A3,Cy,,,,,,,,,,\n")
    children = load_register(path).children
    assert [children[i].status for i in ("A1", "A2", "A3")] == ["left", "attending",
                                                                "attending"]


def test_bad_status(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,gone,,,,,,,,\n")
    assert str(err) == ('children.csv, line 2, column "status": "gone" is not a status. '
                        "Use attending or left (blank means attending).")


# --- spreadsheet exports -------------------------------------------------------------------

def test_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nA1,Zoë,,,,yes,,,,,,\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    register = load_register(path)
    assert register.children["A1"].name == "Zoë"
    assert register.children["A1"].consents["learning_journey"] is True


def test_cp1252_names(tmp_path: Path) -> None:
    text = HEADER + "\nA1,Zoë Brontë,,,,yes,,,,,,\nA2,Seán O’Neill,,,,,,,,,,\n"
    path = write(tmp_path, text, encoding="cp1252")
    assert b"Zo\xeb" in path.read_bytes()
    children = load_register(path).children
    assert children["A1"].name == "Zoë Brontë"
    assert children["A2"].name == "Seán O’Neill"


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    path = write(tmp_path, (HEADER + "\nA1,Zoë,,,,yes,,,,,,\n").replace(",", "\t"),
                 encoding="utf-16")
    assert load_register(path).children["A1"].name == "Zoë"


def test_semicolon_separator(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace(",", ";") + "\n"
                 "A1;Smith, Ann;Room 1;;;yes;no;yes;no;yes;no;01/09/2026\n")
    child = load_register(path).children["A1"]
    assert child.name == "Smith, Ann"
    assert child.consents == {"learning_journey": True, "other_journeys": False,
                              "display": True, "website": False, "social_media": True}


def test_tab_separator(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace(",", "\t") + "\n"
                 "A1\tAnn; Lee\t\t\t\tno\tno\tno\tno\tyes\tyes\t2026-09-01\n")
    child = load_register(path).children["A1"]
    assert child.name == "Ann; Lee"
    assert child.consents["social_media"] is True and child.face_matching is True


def test_excel_sep_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sep=;\n" + HEADER.replace(",", ";") + "\nA1;Ann;;;;yes;;;;;;\n"
                 "A2;Bob;;;;perhaps;;;;;;\n")
    err = load_text(tmp_path, path.read_text())
    assert err.line == 4 and err.column == "learning_journey"


def test_crlf_and_trailing_spaces(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nA1 , Ann  ,Room 2 , Left ,01/09/2025 ,yes ,no , , , ,"
                 "yes , 2026-09-01 \n", newline="\r\n")
    assert b"\r\n" in path.read_bytes()
    child = load_register(path).children["A1"]
    assert child.child_id == "A1" and child.name == "Ann" and child.room == "Room 2"
    assert child.status == "left"
    assert child.leave_date == date(2025, 9, 1)
    assert child.consent_review_due == date(2026, 9, 1)
    assert child.consents["learning_journey"] and child.face_matching


def test_crlf_line_numbers(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,\n\nA2,Bob,,,,,,,,,,bad\n",
                    newline="\r\n")
    assert err.line == 4


def test_blank_rows_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    text = (HEADER + "\n\nA1,Ann,,,,yes,,,,,,\n,,,,,,,,,,,\n   \n  ,  ,\n"
            "A2,Bob,,,,yes,,,,,,\n\nA3,Cy,,,,oops,,,,,,\n")
    err = load_text(tmp_path, text)
    assert err.line == 9
    path = write(tmp_path, text.replace("oops", "no"), name="ok.csv")
    children = load_register(path).children
    assert [(c.child_id, c.line) for c in children.values()] == [("A1", 3), ("A2", 7),
                                                                  ("A3", 9)]


def test_blank_lines_before_header(tmp_path: Path) -> None:
    err = load_text(tmp_path, "\n\n" + HEADER + "\nA1,Ann,,,,,,,,,,\nA2,Bob,,,,x,,,,,,\n")
    assert err.line == 5


def test_quoted_multiline_cell_then_bad_row(tmp_path: Path) -> None:
    text = (HEADER + ",notes\n"
            'A1,"Ann\nLee",,,,yes,,,,,,,"line one\nline two\n\nline four"\n'
            "A2,Bob,,,,yes,,,,,,,\n"
            "A3,Cy,,,,yes,,,,sometimes,,,\n")
    err = load_text(tmp_path, text, newline="\r\n")
    assert str(err) == ('children.csv, line 8, column "social_media": "sometimes" is not yes '
                        "or no. Use yes or no (blank means no).")
    ok = write(tmp_path, text.replace("sometimes", "yes"), name="ok.csv")
    children = load_register(ok).children
    assert children["A1"].name == "Ann\nLee"
    assert [c.line for c in children.values()] == [2, 7, 8]


def test_unclosed_quote_is_an_error(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + '\nA1,"Ann,,,,yes,,,,,,\nA2,Bob,,,,,,,,,,\n'
                    "A3,Cy,,,,,,,,,,\n")
    assert err.line == 2 and err.column is None
    assert "never closed" in str(err)


def test_quote_mark_inside_unquoted_cell_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + '\nA1,Ann "Annie" Lee,,,,,,,,,,\nA2,Bob 5",,,,,,,,,,\n')
    children = load_register(path).children
    assert children["A1"].name == 'Ann "Annie" Lee'
    assert children["A2"].name == 'Bob 5"'


def test_short_row_reads_missing_cells_as_blank(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nA1,Ann,,left,,yes\n")
    child = load_register(path).children["A1"]
    assert child.status == "left"
    assert child.consents == {"learning_journey": True, "other_journeys": False,
                              "display": False, "website": False, "social_media": False}
    assert child.consent_review_due is None


def test_extra_empty_cells_are_fine_extra_filled_cells_are_not(tmp_path: Path) -> None:
    assert "A1" in load_register(write(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,,, ,\n")).children
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,,,yes\n")
    assert err.line == 2 and err.column is None
    assert str(err) == ('children.csv, line 2: This row has 14 cells but the header row '
                        '(line 1) names only 12 columns, so "yes" belongs to no column. '
                        "Remove it or add a column name in the header row.")


# --- header problems ----------------------------------------------------------------------

def test_missing_column(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER.replace(",website", "") + "\nA1,Ann,,,,,,,,,\n")
    assert err.line == 1 and err.column == "website"
    assert str(err) == ('children.csv, line 1, column "website": The header row has no '
                        "website column. Every register needs one.")


def test_missing_column_suggests_close_name(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER.replace("social_media", "socialmedia") + "\n")
    assert err.column == "social_media"
    assert 'Is it the column called "socialmedia"?' in str(err)


def test_several_missing_columns_each_reported(tmp_path: Path) -> None:
    err = load_text(tmp_path, "child_id,name,status,display\nA1,Ann,,yes\n")
    missing = [p.column for p in err.problems]
    assert missing == ["learning_journey", "other_journeys", "website", "social_media",
                       "face_matching", "consent_review_due"]
    assert all(p.line == 1 for p in err.problems)


def test_no_header_row(tmp_path: Path) -> None:
    err = load_text(tmp_path, "A1,Ann,,,,yes,yes,yes,yes,yes,yes,2026-09-01\n")
    assert err.line == 1 and err.column is None
    assert "does not look like a header row" in str(err)
    assert len(err.problems) == 1


def test_duplicate_column(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + ",Social Media\n")
    assert err.line == 1 and err.column == "social_media"
    assert "columns 10 and 13" in str(err)


def test_extra_purpose_configured(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ",Press\nA1,Ann,,,,yes,,,,,,,yes\n")
    child = load_register(path, purposes=PURPOSES + ("press",)).children["A1"]
    assert child.consents["press"] is True
    assert tuple(child.consents) == PURPOSES + ("press",)
    # and without it configured, the press column is just an extra column
    assert "press" not in load_register(path).children["A1"].consents


def test_configured_purpose_column_missing(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n")
    with pytest.raises(RegisterError) as info:
        load_register(path, purposes=PURPOSES + ("press",))
    assert info.value.column == "press" and info.value.line == 1


# --- row problems -------------------------------------------------------------------------

def test_duplicate_child_id(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,\nA2,Bob,,,,,,,,,,\n"
                    "A1,Another Ann,,,,,,,,,,\n")
    assert str(err) == ('children.csv, line 4, column "child_id": "A1" is already used on '
                        "line 2. Each child needs their own child_id.")


def test_duplicate_child_id_ignoring_capitals(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\nc01,Ann,,,,,,,,,,\nC01,Bob,,,,,,,,,,\n")
    assert err.line == 3
    assert '"C01" is already used on line 2 (as "c01")' in str(err)


def test_missing_child_id(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "\n,Ann,,,,yes,,,,,,\n")
    assert err.line == 2 and err.column == "child_id"
    assert "no child_id" in str(err)


@pytest.mark.parametrize("bad", ["A/1", "..", "a\\b", "C:1", "A?"])
def test_child_id_unusable_as_folder_name(tmp_path: Path, bad: str) -> None:
    err = load_text(tmp_path, HEADER + f'\n"{bad}",Ann,,,,,,,,,,\n')
    assert err.line == 2 and err.column == "child_id"
    assert "can't be used as an id" in str(err)


@pytest.mark.parametrize("bad", ["C 6", "C.6", "Zoë", ".hidden", "=1+1", "+44", "@home", "a;b", "C\u200b6"])
def test_child_id_is_letters_numbers_dash_and_underscore_only(tmp_path: Path, bad: str) -> None:
    """Exactly what the message says (issue 13, item 15): anything else is a line/column error."""
    err = load_text(tmp_path, HEADER + f'\nA1,Ann,,,,,,,,,,\n"{bad}",Bob,,,,,,,,,,\n')
    assert err.line == 3 and err.column == "child_id"
    assert "Use letters, numbers, - and _ only" in str(err)


@pytest.mark.parametrize("good", ["C001", "c-01", "room_2-7", "-1", "ABCxyz123"])
def test_child_ids_the_message_allows_are_accepted(tmp_path: Path, good: str) -> None:
    register = load_register(write(tmp_path, HEADER + f"\n{good},Ann,,,,,,,,,,\n"))
    assert list(register.children) == [good]


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_name_is_a_line_and_column_error(tmp_path: Path, blank: str) -> None:
    err = load_text(tmp_path, HEADER + f'\nA1,"{blank}",,,,,,,,,,\n')
    assert err.line == 2 and err.column == "name"
    assert "no name" in str(err)


# --- file problems ------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as info:
        load_register(tmp_path / "nope.csv")
    err = info.value
    assert err.line == 0 and err.column is None
    assert str(err).startswith("nope.csv: The register file was not found at ")
    assert len(err.problems) == 1


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as info:
        load_register(tmp_path)
    assert info.value.line == 0
    assert "is a folder, not a register file" in str(info.value)


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n", "\ufeff"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    err = load_text(tmp_path, text)
    assert err.line == 0
    assert str(err) == ("children.csv: The file is empty: it has no header row and no "
                        "children. Start from consent_data/template/children.csv.")


def test_str_path_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nA1,Ann,,,,,,,,,,\n")
    assert "A1" in load_register(str(path)).children


# --- many problems at once ----------------------------------------------------------------

def test_all_problems_reported(tmp_path: Path) -> None:
    text = (HEADER + "\n"
            "A1,Ann,,,,yes,maybe,,,,,2026-09-01\n"           # line 2: other_journeys
            "A2,Bob,,gone,,,,,,,,31/02/2026\n"              # line 3: status + date
            "\n"
            "A1,Ann again,,,,,,,,,,\n"                      # line 5: duplicate
            ",Nobody,,,,,,,,,,\n"                           # line 6: no id
            "A3,Cy,,,,,,,,,yes please,\n")                  # line 7: face_matching
    err = load_text(tmp_path, text)
    found = [(p.line, p.column) for p in err.problems]
    assert found == [(2, "other_journeys"), (3, "status"), (3, "consent_review_due"),
                     (5, "child_id"), (6, "child_id"), (7, "face_matching")]
    lines = str(err).splitlines()
    assert lines[0] == "The consent register children.csv has 6 problems:"
    assert lines[1:] == [str(p) for p in err.problems]
    assert lines[1].startswith('children.csv, line 2, column "other_journeys": "maybe"')
    assert err.line == 0 and err.column is None


def test_header_and_row_problems_reported_together(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER.replace(",display", "") + "\nA1,Ann,,,,x,,,,,\n")
    assert [(p.line, p.column) for p in err.problems] == [(1, "display"),
                                                          (2, "learning_journey")]
