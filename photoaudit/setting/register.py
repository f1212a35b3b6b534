"""Read the consent register: the spreadsheet of children and what their parents agreed to.

The register is a CSV file with one row per child (format: ``consent_data/README.md``).
:func:`load_register` reads all of it or nothing: every problem in the file is collected
and reported together in one :class:`RegisterError`, because an audit must never run on a
register that was only partly understood (docs/rules.md R1: no consent recorded = no consent).

The staff register (``staff.csv``, :func:`load_staff_register`) is read by the same reader,
with the same Excel tolerance and the same line and column errors; only its columns differ.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..core.errors import BadValue, CannotRun
from ..core.models import PURPOSES, Child, Register, StaffMember, StaffRegister

#: Columns every register needs besides one per purpose.
BASE_COLUMNS: tuple[str, ...] = ("child_id", "name", "status")
#: Required columns that come after the purpose columns.
TAIL_COLUMNS: tuple[str, ...] = ("face_matching", "consent_review_due")
#: Columns a register may leave out; they then read as blank.
OPTIONAL_COLUMNS: tuple[str, ...] = ("room", "leave_date", "date_of_birth", "twin_of", "siblings")
#: Optional column per purpose: the date the parents withdrew that consent.
WITHDRAWN_SUFFIX = "_withdrawn"

_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0", ""})
_STATUSES = {"": "attending", "attending": "attending", "left": "left"}
#: The staff register's columns besides one per purpose that needs staff consent.
STAFF_BASE_COLUMNS: tuple[str, ...] = ("staff_id", "name", "status")
STAFF_TAIL_COLUMNS: tuple[str, ...] = ("face_matching",)
_STAFF_STATUSES = {"": "working", "working": "working", "left": "left"}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")
_DATE_HELP = "Write dates as 2026-09-01 or 01/09/2026 (day first)."
#: What a child_id may hold: exactly what the message says (letters A-Z, numbers, - and _).
_ID = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_SEPARATORS = (",", ";", "\t")
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)  # Excel's "sep=;" first line


class RegisterError(CannotRun):
    """A problem with the register file, in words a nursery manager understands.

    ``line`` is the 1-based physical line in the file (the header is line 1; 0 when the
    problem is with the file as a whole). ``column`` is the register's name for the column
    (e.g. ``"social_media"``) or None; messages quote the header as written in the file.
    The error :func:`load_register` raises lists every individual problem in ``problems``
    (at least one); an individual problem's ``problems`` is empty.
    """

    def __init__(
        self,
        path: Path | str,
        line: int,
        column: str | None,
        message: str,
        *,
        column_label: str | None = None,
        problems: list[RegisterError] | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        self.column_label = column_label or column
        self.problems: list[RegisterError] = list(problems or [])
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) > 1:
            return "\n".join([self.message] + [str(p) for p in self.problems])
        where = self.path.name or str(self.path)
        if self.line > 0:
            where += f", line {self.line}"
        if self.column_label:
            where += f', column "{self.column_label}"'
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return self._text()


def load_register(path: Path | str, *, purposes: tuple[str, ...] = PURPOSES) -> Register:
    """Read the consent register CSV at ``path``; one consent column per purpose.

    Raises :class:`RegisterError` listing every problem in the file if there are any.
    """
    path = Path(path)
    reader = _RegisterReader(path, tuple(_norm(p) for p in purposes))
    children = _read_all(reader, "consent register")
    return Register(children=children, source=str(path))


def load_staff_register(path: Path | str, *, purposes: tuple[str, ...]) -> StaffRegister:
    """Read the staff register CSV at ``path``; one yes/no column per purpose in ``purposes``
    (the purposes that need a member of staff's agreement).

    Same reading rules and errors as :func:`load_register` (all or nothing).
    """
    path = Path(path)
    reader = _StaffReader(path, tuple(_norm(p) for p in purposes))
    members = _read_all(reader, "staff register")
    return StaffRegister(members, tuple(_norm(p) for p in purposes), source=str(path))


def _read_all(reader: _RegisterReader, what: str) -> dict:
    """Every row the reader gives, or a :class:`RegisterError` listing every problem."""
    rows = reader.read()
    problems, path = reader.problems, reader.path
    if not problems:
        return rows
    if len(problems) == 1:
        one = problems[0]
        raise RegisterError(path, one.line, one.column, one.message,
                            column_label=one.column_label, problems=problems)
    raise RegisterError(
        path, 0, None,
        f"The {what} {path.name} has {len(problems)} problems:",
        problems=problems,
    )


def parse_yes_no(value: str) -> bool | None:
    """True/False for a yes/no cell (blank is no); None when it is neither."""
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def parse_date(value: str) -> date | None:
    """A date written 2026-09-01 or 01/09/2026 (day first); None for a blank cell.

    Raises ValueError, with a message for the manager, for anything else.
    """
    text = value.strip()
    if not text:
        return None
    iso = _ISO_DATE.fullmatch(text)
    uk = _UK_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month, year = (int(g) for g in uk.groups())
    else:
        raise BadValue(f"{_show(value)} is not a date. {_DATE_HELP}")
    if not 1 <= month <= 12:
        extra = " (dates are read day first)" if uk else ""
        raise BadValue(f"{_show(value)} is not a real date: there is no month {month}"
                         f"{extra}. {_DATE_HELP}")
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f"{_show(value)} is not a real date: {_MONTHS[month - 1]} {year} "
                         f"has no day {day}. {_DATE_HELP}") from None


def _norm(header: str) -> str:
    """A header as the register names it: trimmed, lower case, spaces as underscores."""
    return re.sub(r"[\s_]+", "_", header.replace("\ufeff", "").strip().lower())


def _show(value: str) -> str:
    """A cell's value quoted for a message, kept short and on one line."""
    text = " ".join(value.split()) if "\n" in value or "\r" in value else value.strip()
    if len(text) > 40:
        text = text[:37] + "..."
    return f'"{text}"'


def _is_blank_line(line: str) -> bool:
    return not line.strip().strip(",;\t\"").strip()


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _quote_left_open(lines: list[str], delimiter: str) -> bool:
    """True when the last row of the file opens a quoted cell that never closes."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error as err:
        return "end of data" in str(err)
    return False


def _decode(data: bytes) -> str:
    """Text of a spreadsheet export: UTF-16 with a BOM, UTF-8 (BOM or not), or cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


class _RegisterReader:
    """Reads one register file, collecting problems instead of stopping at the first.

    The class attributes name the register's columns and its rows' people; the staff
    register's reader (:class:`_StaffReader`) changes only those and :meth:`_child`.
    """

    id_column = "child_id"
    person = "child"
    people = "children"
    template = "children.csv"
    base_columns = BASE_COLUMNS
    tail_columns = TAIL_COLUMNS
    optional_columns = OPTIONAL_COLUMNS
    withdrawn_columns = True

    def __init__(self, path: Path, purposes: tuple[str, ...]) -> None:
        self.path = path
        self.purposes = purposes
        base = self.base_columns
        self.required = base + tuple(p for p in purposes if p not in base)
        self.required += tuple(c for c in self.tail_columns if c not in self.required)
        self.known = self.required + tuple(c for c in self.optional_columns
                                           if c not in self.required)
        if self.withdrawn_columns:
            self.known += tuple(p + WITHDRAWN_SUFFIX for p in purposes)
        self.problems: list[RegisterError] = []
        self.labels: dict[str, str] = {}  # register column name -> header as written

    def problem(self, line: int, column: str | None, message: str) -> None:
        label = self.labels.get(column, column) if column else None
        self.problems.append(RegisterError(self.path, line, column, message,
                                           column_label=label))

    def read(self) -> dict[str, Child]:
        lines = self._lines()
        if lines is None:
            return {}
        start = 0
        while start < len(lines) and _is_blank_line(lines[start]):
            start += 1
        if start == len(lines):
            self.problem(0, None, f"The file is empty: it has no header row and no {self.people}. "
                         f"Start from consent_data/template/{self.template}.")
            return {}
        delimiter = None
        sep = _SEP_LINE.match(lines[start])
        if sep and sep.group(1) in _SEPARATORS:
            delimiter = sep.group(1)
            start += 1
            while start < len(lines) and _is_blank_line(lines[start]):
                start += 1
            if start == len(lines):
                self.problem(0, None, f"The file has no header row and no {self.people}.")
                return {}
        if delimiter is None:
            counts = [_count_outside_quotes(lines[start], s) for s in _SEPARATORS]
            delimiter = _SEPARATORS[counts.index(max(counts))]
        return self._rows(lines, start, delimiter)

    def _lines(self) -> list[str] | None:
        path = self.path
        if path.is_dir():
            self.problem(0, None, f"{path} is a folder, not a register file. "
                         "Give the path of the register CSV file itself.")
            return None
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.problem(0, None, f"The register file was not found at {path}. "
                         "Check the name and the folder.")
            return None
        except OSError as err:
            self.problem(0, None, f"The register file {path} could not be opened "
                         f"({err.strerror or err}). Is it open in another program?")
            return None
        try:
            text = _decode(data)
        except UnicodeDecodeError:
            self.problem(0, None, "The file's text could not be read. Save it from your "
                         "spreadsheet as \"CSV UTF-8\" and try again.")
            return None
        # Split the way csv.reader counts lines (\n, \r\n or \r), keeping the endings.
        return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)

    def _rows(self, lines: list[str], start: int, delimiter: str) -> dict[str, Child]:
        reader = csv.reader(lines[start:], delimiter=delimiter)
        header_line = start + 1
        try:
            header = next(reader)
        except csv.Error as err:
            self.problem(header_line, None, f"The header row could not be read ({err}).")
            return {}
        columns = self._header(header, header_line)
        if columns is None:
            return {}
        children: dict[str, Child] = {}
        first_seen: dict[str, tuple[str, int]] = {}  # case-folded id -> (id, line)
        previous_end = reader.line_num
        while True:
            row_line = start + previous_end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                self.problem(row_line, None, f"This row could not be read ({err}), so the "
                             "rest of the file was not read either. Check for a quote mark "
                             '(") that is opened but never closed.')
                break
            end = start + reader.line_num
            previous_end = reader.line_num
            if end == len(lines) and _quote_left_open(lines[row_line - 1:end], delimiter):
                self.problem(row_line, None, 'A quote mark (") opened on this line is never '
                             "closed, so everything after it was read as one cell. Remove "
                             "the quote mark or add the closing one.")
                break
            if not any(cell.strip() for cell in row):
                continue
            child = self._child(row, row_line, len(header), header_line, columns)
            index = columns.get(self.id_column, len(row))
            child_id = row[index].strip() if index < len(row) else ""
            if child_id:
                key = child_id.casefold()
                if key in first_seen:
                    other, other_line = first_seen[key]
                    same = "" if other == child_id else f' (as "{other}")'
                    self.problem(row_line, self.id_column,
                                 f"{_show(child_id)} is already used on line {other_line}"
                                 f"{same}. Each {self.person} needs their own {self.id_column}.")
                    continue
                first_seen[key] = (child_id, row_line)
            if child is not None:
                children[child_id] = child
        return children

    def _header(self, header: list[str], line: int) -> dict[str, int] | None:
        """Where each known column is, or None when the header is unusable."""
        columns: dict[str, int] = {}
        others: dict[str, str] = {}  # unknown normalised name -> as written
        for index, cell in enumerate(header):
            name = _norm(cell)
            if not name:
                continue
            if name not in self.known:
                others.setdefault(name, cell.strip())
                continue
            if name in columns:
                self.problem(line, name, f"The column appears twice (columns {columns[name] + 1} "
                             f"and {index + 1}), so it is not clear which one to use. "
                             "Keep only one.")
                continue
            columns[name] = index
            self.labels[name] = cell.strip()
        if not columns:
            wanted = ", ".join(self.required)
            self.problem(line, None, "This does not look like a header row: none of the "
                         "register's column names were found. The first row must name the "
                         f"columns: {wanted}.")
            return None
        for name in self.required:
            if name in columns:
                continue
            hint = ""
            close = difflib.get_close_matches(name, list(others), n=1, cutoff=0.7)
            if close:
                hint = f' Is it the column called "{others[close[0]]}"? Rename it to {name}.'
            self.problem(line, name, f"The header row has no {name} column. "
                         f"Every register needs one.{hint}")
        return columns

    def _check_id(self, line: int, columns: dict[str, int], value: str) -> None:
        """Record a problem when the row's id is missing or cannot name a folder."""
        if self.id_column not in columns:
            return
        if not value:
            self.problem(line, self.id_column, f"This row has no {self.id_column}. Every "
                         f"{self.person} needs their own id (and rows with nobody on them "
                         "should be empty).")
        elif not _ID.fullmatch(value):
            self.problem(line, self.id_column, f"{_show(value)} can't be used as an id: it is "
                         f"also the name of the {self.person}'s folder of reference photos. "
                         "Use letters, numbers, - and _ only (no spaces, dots or accents).")

    def _extra_cells(self, row: list[str], line: int, width: int, header_line: int) -> None:
        """Record a problem for cells beyond the header's last column."""
        extra = [c.strip() for c in row[width:] if c.strip()]
        if extra:
            shown = ", ".join(_show(c) for c in extra[:3])
            self.problem(line, None, f"This row has {len(row)} cells but the header row "
                         f"(line {header_line}) names only {width} columns, so {shown} "
                         f"{'belongs' if len(extra) == 1 else 'belong'} to no column. "
                         "Remove it or add a column name in the header row.")

    def _cells(
        self, row: list[str], line: int, columns: dict[str, int]
    ) -> tuple[Callable[[str], str], Callable[[str], bool]]:
        """Readers of one row's cells by column name: the text (blank when the column or cell
        is missing), and a yes/no (blank or a missing column is no; anything else records a
        problem and counts as no)."""

        def cell(name: str) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        def yes_no(name: str) -> bool:
            value = parse_yes_no(cell(name)) if name in columns else False
            if value is None:
                self.problem(line, name, f"{_show(cell(name))} is not yes or no. "
                             "Use yes or no (blank means no).")
                return False
            return value

        return cell, yes_no

    def _child(self, row: list[str], line: int, width: int, header_line: int,
               columns: dict[str, int]) -> Child | None:
        """The child on one row, or None (with problems recorded) when it has errors."""
        before = len(self.problems)
        self._extra_cells(row, line, width, header_line)
        cell, yes_no = self._cells(row, line, columns)

        def when(name: str) -> date | None:
            try:
                return parse_date(cell(name))
            except ValueError as err:
                self.problem(line, name, str(err))
                return None

        child_id = cell("child_id")
        self._check_id(line, columns, child_id)
        if "name" in columns and child_id and not cell("name"):
            self.problem(line, "name", "This row has no name. Reports name each child, so "
                         "write the child's name as you want to see it.")
        status = _STATUSES.get(cell("status").lower())
        if status is None:
            self.problem(line, "status", f"{_show(cell('status'))} is not a status. "
                         "Use attending or left (blank means attending).")
        consents = {p: yes_no(p) for p in self.purposes}
        face_matching = yes_no("face_matching")
        review_due = when("consent_review_due")
        leave_date = when("leave_date")
        withdrawn = {p: day for p in self.purposes
                     if p + WITHDRAWN_SUFFIX in columns and (day := when(p + WITHDRAWN_SUFFIX))}
        born = when("date_of_birth")
        twin_of = cell("twin_of")
        siblings = tuple(dict.fromkeys(s for s in re.split(r"[;,\s]+", cell("siblings")) if s))
        if twin_of and twin_of == child_id:
            self.problem(line, "twin_of", f"{_show(twin_of)} is this child's own id: twin_of names "
                         "the other twin's child_id.")
        if child_id and child_id in siblings:
            self.problem(line, "siblings", f"{_show(child_id)} is this child's own id: siblings "
                         "names the brothers' and sisters' child_ids.")
        if len(self.problems) > before or "child_id" not in columns:
            return None
        return Child(
            child_id=child_id,
            name=cell("name"),
            consents=consents,
            face_matching=face_matching,
            consent_review_due=review_due,
            status=status or "attending",
            leave_date=leave_date,
            room=cell("room"),
            line=line,
            withdrawn=withdrawn,
            date_of_birth=born,
            twin_of=twin_of,
            siblings=siblings,
        )


class _StaffReader(_RegisterReader):
    """Reads the staff register: staff_id, name, status (working/left), face_matching, and a
    yes/no column per purpose that needs staff consent."""

    id_column = "staff_id"
    person = "member of staff"
    people = "staff"
    template = "staff.csv"
    base_columns = STAFF_BASE_COLUMNS
    tail_columns = STAFF_TAIL_COLUMNS
    optional_columns = ()
    withdrawn_columns = False

    def _child(self, row: list[str], line: int, width: int, header_line: int,  # type: ignore[override]
               columns: dict[str, int]) -> StaffMember | None:
        """The member of staff on one row, or None (with problems recorded) when it has errors."""
        before = len(self.problems)
        self._extra_cells(row, line, width, header_line)
        cell, yes_no = self._cells(row, line, columns)

        staff_id = cell("staff_id")
        self._check_id(line, columns, staff_id)
        status = _STAFF_STATUSES.get(cell("status").lower())
        if status is None:
            self.problem(line, "status", f"{_show(cell('status'))} is not a status. "
                         "Use working or left (blank means working).")
        consents = {p: yes_no(p) for p in self.purposes}
        face_matching = yes_no("face_matching")
        if len(self.problems) > before or "staff_id" not in columns:
            return None
        return StaffMember(staff_id, cell("name"), consents, face_matching,
                           status or "working", line)
