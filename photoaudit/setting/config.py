"""Read a setting's ``photoaudit.toml``: its choices, checked, over the safe defaults.

A setting can keep its choices in ``photoaudit.toml`` (see :func:`load_config`
and docs/setting-up.md, "Configuration"); everything left out keeps its default
(:mod:`photoaudit.core.settings`, where the defaults and why they lean safe are).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ..core.dsl import DslKind, DslRules, parse_days, parse_hours
from ..core.errors import BadValue
from ..core.models import RecordRules
from ..core.settings import ClusterSettings, MatchSettings, Settings, VideoSettings

CONFIG_NAME = "photoaudit.toml"

#: Names a purpose cannot have: they are the register's other columns.
_RESERVED = frozenset({"child_id", "staff_id", "name", "room", "status", "leave_date", "face_matching",
                       "consent_review_due", "date_of_birth", "twin_of", "siblings"})
_PURPOSE_NAME = re.compile(r"[a-z][a-z0-9_]*")

#: Every key photoaudit.toml may hold: table -> key -> what it is.
_KEYS: dict[str, dict[str, str]] = {
    "setting": {"name": "text", "data": "text", "state": "text", "purposes": "purposes",
                "public_purposes": "purposes", "quarantine": "text", "reports": "text", "log": "text",
                "open": "hours", "days": "weekdays", "closed": "dates"},
    "transfer": {"window_days": "days"},
    "retention": {"months": "months", "after_leaving_months": "months0", "reports_months": "months"},
    "matching": {"tolerance": "tolerance", "margin": "margin", "public_tolerance": "public_tolerance",
                 "sibling_margin": "sibling_margin", "public_min_age_months": "age_months"},
    "video": {"sample_every_seconds": "seconds", "max_samples": "samples"},
    "staff": {"consent_needed_for": "purposes"},
    "cluster": {"address": "address", "send_bytes": "yes_no"},
    "dsl": {"off": "dsl_checks"},
}


class ConfigError(BadValue):
    """photoaudit.toml cannot be used; the message says where and how to fix it."""


def find_config(explicit: Path | None, folder: Path | None = None, data: Path | None = None) -> Path | None:
    """The setting's ``photoaudit.toml``: ``--config`` when given (it must exist), else the one in
    the data folder ``data`` (``--data`` or ``PHOTOAUDIT_DATA``: the setting's own folder holds
    its retention, transfer window and name), else the one in ``folder`` (the cwd), else None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"The settings file {explicit} (--config) does not exist.")
        return explicit
    for place in ([data] if data is not None else []) + [folder if folder is not None else Path.cwd()]:
        candidate = place / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path, base: Settings | None = None) -> Settings:
    """Settings from a photoaudit.toml; anything it leaves out keeps ``base``'s value.

    Relative folders in the file are relative to the file's own folder. Raises
    :class:`ConfigError` for an unreadable file, an unknown key or a bad value.
    """
    base = base or Settings()
    raw = read_toml(Path(path))
    values = _checked(raw, Path(path).name)
    folder = Path(path).parent

    def where(text: str) -> Path:
        given = Path(text).expanduser()
        return given if given.is_absolute() else folder / given

    setting, transfer = values.get("setting", {}), values.get("transfer", {})
    retention, matching = values.get("retention", {}), values.get("matching", {})
    video = values.get("video", {})
    name = Path(path).name
    staff = values.get("staff", {})
    cluster = values.get("cluster", {})
    dsl = values.get("dsl", {})
    hours = setting.get("open", (base.dsl.open_from, base.dsl.open_until))
    try:
        match = replace(
            base.match,
            tolerance=matching.get("tolerance", base.match.tolerance),
            margin=matching.get("margin", base.match.margin),
            public_tolerance=matching.get("public_tolerance", base.match.public_tolerance),
            sibling_margin=matching.get("sibling_margin", base.match.sibling_margin),
            public_min_age_months=matching.get("public_min_age_months", base.match.public_min_age_months),
        )
    except ValueError as err:
        raise ConfigError(f"{name}, [matching]: {err}.") from None
    if "public_tolerance" in matching and match.public_tolerance > match.tolerance:
        raise ConfigError(f"{name}, [matching] public_tolerance = {match.public_tolerance}: must not be "
                          f"larger than tolerance ({match.tolerance}): public uses need the closer likeness.")
    if "sibling_margin" in matching and match.sibling_margin < match.margin:
        raise ConfigError(f"{name}, [matching] sibling_margin = {match.sibling_margin}: must not be "
                          f"smaller than margin ({match.margin}): siblings need the larger margin.")
    purposes = tuple(setting.get("purposes", base.purposes))
    public = tuple(setting.get("public_purposes", base.public_purposes))
    unknown = [p for p in public if p not in purposes]
    if unknown:
        raise ConfigError(f"{name}, [setting] public_purposes: {', '.join(unknown)} is not one of the "
                          f"setting's purposes ({', '.join(purposes)}).")
    known = purposes
    for purpose in staff.get("consent_needed_for", ()):
        if purpose not in known:
            raise ConfigError(f"{name}, [staff] consent_needed_for: {purpose!r} is not "
                              f"one of the setting's purposes ({', '.join(known)}).")
    return replace(
        base,
        name=setting.get("name", base.name),
        data_dir=where(setting["data"]) if "data" in setting else base.data_dir,
        state_dir=where(setting["state"]) if "state" in setting else base.state_dir,
        quarantine_dir=where(setting["quarantine"]) if "quarantine" in setting else base.quarantine_dir,
        reports_dir=where(setting["reports"]) if "reports" in setting else base.reports_dir,
        log_file=where(setting["log"]) if "log" in setting else base.log_file,
        purposes=purposes,
        public_purposes=public,
        match=match,
        records=RecordRules(
            transfer_window_days=transfer.get("window_days", base.records.transfer_window_days),
            retention_months=retention.get("months", base.records.retention_months),
            leaver_retention_months=retention.get(
                "after_leaving_months", base.records.leaver_retention_months
            ),
        ),
        reports_months=retention.get("reports_months", base.reports_months),
        video=VideoSettings(
            sample_every=video.get("sample_every_seconds", base.video.sample_every),
            max_samples=video.get("max_samples", base.video.max_samples),
        ),
        dsl=DslRules(open_from=hours[0], open_until=hours[1], days=setting.get("days", base.dsl.days),
                     closed=setting.get("closed", base.dsl.closed), off=dsl.get("off", base.dsl.off)),
        config_path=Path(path),
        staff_consent_for=tuple(staff.get("consent_needed_for", base.staff_consent_for)),
        cluster=ClusterSettings(
            address=cluster.get("address", base.cluster.address),
            send_bytes=cluster.get("send_bytes", base.cluster.send_bytes),
        ),
    )


#: A settings file is a few dozen lines; anything much larger is not one (and is not read whole).
MAX_CONFIG_BYTES = 1 << 20


def read_toml(path: Path) -> dict[str, Any]:
    """The tables of a photoaudit.toml; ConfigError naming the file and what to do when it is
    not a readable text file of TOML (a binary file, a wrong encoding, tables nested too
    deeply to read, a file far too large to be settings)."""
    fix = "Open it in a text editor and compare it with docs/setting-up.md, \"Configuration\", or give another file with --config."
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"The settings file {path} could not be read ({err.strerror or err}).") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"The settings file {path} is larger than 1 MB, so it is not a photoaudit.toml. {fix}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"The settings file {path} is not text (UTF-8): it may be another kind of file saved "
                          f"under that name. {fix}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path.name} is not valid TOML: {err}. {fix}") from None
    except RecursionError:
        raise ConfigError(f"The settings file {path} has lists or tables nested too deeply to read: it is not "
                          f"a photoaudit.toml. {fix}") from None


def _checked(raw: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """Every table and key known, every value of the right kind and range."""
    out: dict[str, dict[str, Any]] = {}
    for table, entries in raw.items():
        if table not in _KEYS:
            raise ConfigError(f"{name}: there is no [{table}] section{_hint(table, _KEYS)}. "
                              f"The sections are: {', '.join(f'[{t}]' for t in _KEYS)}.")
        if not isinstance(entries, dict):
            raise ConfigError(f"{name}: {table} must be a section ([{table}]), not a single value.")
        out[table] = {}
        for key, value in entries.items():
            kind = _KEYS[table].get(key)
            if kind is None:
                raise ConfigError(f"{name}, [{table}]: there is no setting called {key!r}"
                                  f"{_hint(key, _KEYS[table])}. The settings here are: "
                                  f"{', '.join(_KEYS[table])}.")
            out[table][key] = _value(kind, value, f"{name}, [{table}] {key}")
    return out


def _hint(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(value: Any, where: str, whole: bool, low: float, high: float, what: str) -> Any:
    ok_type = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not low <= value <= high:
        raise ConfigError(f"{where} = {value!r}: {what}.")
    return value if whole else float(value)


def _value(kind: str, value: Any, where: str) -> Any:
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} must be some text in quotes, e.g. \"Little Acorns\".")
        return value.strip()
    if kind == "purposes":
        return _purposes(value, where)
    if kind == "address":
        return cluster_address(value, where)
    if kind in ("hours", "weekdays", "dates", "dsl_checks"):
        return _dsl_value(kind, value, where)
    if kind == "yes_no":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} = {value!r}: must be true or false (no quotes).")
        return value
    checks = {
        "days": (True, 1, 366, "must be a whole number of days from 1 to 366 (default 7)"),
        "months": (True, 1, 240, "must be a whole number of months from 1 to 240 (default 12)"),
        "months0": (True, 0, 240, "must be a whole number of months from 0 to 240 (default 0: "
                    "not kept after leaving)"),
        "tolerance": (False, 0.1, 0.7, "must be a number from 0.1 to 0.7 (default 0.5; larger "
                      "clears more photos and makes wrong matches more likely)"),
        "margin": (False, 0.0, 0.5, "must be a number from 0 to 0.5 (default 0.08)"),
        "public_tolerance": (False, 0.1, 0.7, "must be a number from 0.1 to 0.7, at most the tolerance "
                             "(default 0.4; larger clears more photos for public use by matching alone)"),
        "sibling_margin": (False, 0.0, 0.5, "must be a number from 0 to 0.5, at least the margin "
                           "(default 0.15)"),
        "age_months": (True, 0, 72, "must be a whole number of months from 0 to 72 (default 24; 0 "
                       "turns the rule off)"),
        "seconds": (False, 0.1, 60.0, "must be a number of seconds from 0.1 to 60 (default 1)"),
        "samples": (True, 1, 10_000, "must be a whole number from 1 to 10000 (default 300)"),
    }
    whole, low, high, what = checks[kind]
    return _number(value, where, whole, low, high, what)


def _dsl_value(kind: str, value: Any, where: str) -> Any:
    """Opening hours, days, closed dates and the DSL checks switched off."""
    if kind == "dsl_checks":
        known = [k.value for k in DslKind]
        if not isinstance(value, list) or any(v not in known for v in value):
            raise ConfigError(f"{where} = {value!r}: must be a list of the checks to switch off, from: "
                              f"{', '.join(known)}.")
        return frozenset(DslKind(v) for v in value)
    if kind == "dates":
        try:
            if not isinstance(value, list):
                raise ValueError
            return frozenset(v if isinstance(v, date) else date.fromisoformat(v) for v in value)
        except (TypeError, ValueError):
            raise ConfigError(f'{where} = {value!r}: must be a list of dates, e.g. ["2026-12-25", 2026-12-28].') from None
    if not isinstance(value, str):
        raise ConfigError(f"{where} = {value!r}: must be some text in quotes.")
    try:
        return parse_hours(value) if kind == "hours" else parse_days(value)
    except BadValue as err:
        raise ConfigError(f"{where}: {err}") from None


def cluster_address(value: Any, where: str) -> str:
    """A Dask scheduler's address as written in photoaudit.toml or given to --cluster."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or any(c.isspace() for c in text):
        raise ConfigError(f"{where} must be the address of the Dask cluster's scheduler, in quotes, e.g. "
                          '"tcp://10.0.0.5:8786".')
    return text


def _purposes(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of purpose names, e.g. "
                          '["learning_journey", "display", "website", "press"].')
    names = [v.strip().lower() for v in value]
    for purpose in names:
        if not _PURPOSE_NAME.fullmatch(purpose):
            raise ConfigError(f"{where}: {purpose!r} can't be a purpose name: use lower-case letters, "
                              "digits and _ (it is also the register's column name).")
        if purpose in _RESERVED or purpose.endswith("_withdrawn"):
            raise ConfigError(f"{where}: {purpose!r} can't be a purpose: the register already has "
                              "a column of that name.")
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(f"{where}: {', '.join(twice)} is listed more than once.")
    return tuple(names)


def command_line_match(base: MatchSettings, tolerance: float | None, margin: float | None) -> MatchSettings:
    """``--tolerance`` and ``--margin`` on top of ``base``, checked exactly as photoaudit.toml's
    values are (ConfigError, exit code 2, naming the allowed range)."""
    changes: dict[str, Any] = {}  # tolerance and margin, each a float once checked
    if tolerance is not None:
        changes["tolerance"] = _value("tolerance", tolerance, "--tolerance")
    if margin is not None:
        changes["margin"] = _value("margin", margin, "--margin")
    return replace(base, **changes)
