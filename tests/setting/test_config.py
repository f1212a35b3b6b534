"""photoaudit.toml: defaults, every setting, and a clear error for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.models import PURPOSES
from photoaudit.core.provenance import RecordRules
from photoaudit.core.settings import ClusterSettings, Settings
from photoaudit.setting.config import ConfigError, find_config, load_config
from photoaudit.setting.register import RegisterError, load_register

FULL = """
[setting]
name = "Little Acorns"
data = "acorns-data"
state = "/var/lib/photoaudit"
purposes = ["learning_journey", "display", "website", "social_media", "press"]

[transfer]
window_days = 14

[retention]
months = 24
after_leaving_months = 6

[matching]
tolerance = 0.45
margin = 0.1

[video]
sample_every_seconds = 0.5
max_samples = 120

[cluster]
address = "tcp://10.0.0.5:8786"
send_bytes = true
"""


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "photoaudit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_safe_ones() -> None:
    settings = Settings()
    assert settings.cluster == ClusterSettings(None, send_bytes=False)  # photos are examined on this computer
    assert settings.records == RecordRules(7, 12, 0)
    assert settings.match.tolerance == 0.5 and settings.match.margin == 0.08
    assert settings.purposes == PURPOSES
    assert settings.video.sample_every == 1.0


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = load_config(toml(tmp_path, FULL))
    assert settings.name == "Little Acorns"
    assert settings.data_dir == tmp_path / "acorns-data"  # relative to the file
    assert settings.state_path == Path("/var/lib/photoaudit")
    assert settings.purposes[-1] == "press"
    assert settings.records == RecordRules(14, 24, 6)
    assert (settings.match.tolerance, settings.match.margin) == (0.45, 0.1)
    assert (settings.video.sample_every, settings.video.max_samples) == (0.5, 120)
    assert settings.config_path == tmp_path / "photoaudit.toml"
    assert settings.cluster == ClusterSettings("tcp://10.0.0.5:8786", send_bytes=True)


def test_an_empty_file_keeps_every_default(tmp_path: Path) -> None:
    assert load_config(toml(tmp_path, "")) == Settings(config_path=tmp_path / "photoaudit.toml")


def test_an_extra_purpose_becomes_a_register_column(tmp_path: Path) -> None:
    settings = load_config(toml(tmp_path, '[setting]\npurposes = ["learning_journey", "press"]\n'))
    register = tmp_path / "children.csv"
    register.write_text("child_id,name,status,learning_journey,face_matching,consent_review_due\n"
                        "C1,Amy,,yes,no,2030-01-01\n")
    with pytest.raises(RegisterError, match="no press column"):
        load_register(register, purposes=settings.purposes)
    register.write_text("child_id,name,status,learning_journey,press,face_matching,consent_review_due,"
                        "press_withdrawn\nC1,Amy,,yes,yes,no,2030-01-01,2026-05-01\n")
    child = load_register(register, purposes=settings.purposes).children["C1"]
    assert not child.allows("press") and child.allows("learning_journey")


@pytest.mark.parametrize("text,words", [
    ("[transfer]\nwindow_days = 0\n", "[transfer] window_days = 0: must be a whole number of days"),
    ("[transfer]\nwindow_days = 7.5\n", "whole number of days"),
    ("[transfer]\nwindow_days = true\n", "whole number of days"),
    ('[transfer]\nwindow_days = "7"\n', "whole number of days"),
    ("[retention]\nmonths = -3\n", "[retention] months = -3"),
    ("[retention]\nmonths = 0\n", "from 1 to 240"),
    ("[retention]\nafter_leaving_months = -1\n", "from 0 to 240"),
    ("[matching]\ntolerance = 0.9\n", "from 0.1 to 0.7"),
    ("[matching]\nmargin = -0.1\n", "margin = -0.1"),
    ("[video]\nsample_every_seconds = 0\n", "seconds from 0.1 to 60"),
    ("[video]\nmax_samples = 0\n", "from 1 to 10000"),
    ("[setting]\nname = 3\n", "must be some text"),
    ("[setting]\npurposes = []\n", "list of purpose names"),
    ('[setting]\npurposes = ["Press Release"]\n', "can't be a purpose name"),
    ('[setting]\npurposes = ["status"]\n', "already has a column"),
    ('[setting]\npurposes = ["press", "press"]\n', "listed more than once"),
    ("[retension]\nmonths = 12\n", "no [retension] section (did you mean 'retention'?)"),
    ("[retention]\nmonth = 12\n", "no setting called 'month' (did you mean 'months'?)"),
    ("transfer = 7\n", "must be a section"),
    ('[cluster]\naddress = ""\n', 'address of the Dask cluster\'s scheduler, in quotes, e.g. "tcp://10.0.0.5:8786"'),
    ('[cluster]\naddress = "tcp://10.0.0.5 8786"\n', "[cluster] address must be the address"),
    ("[cluster]\naddress = 8786\n", "[cluster] address must be the address"),
    ('[cluster]\nsend_bytes = "yes"\n', "[cluster] send_bytes = 'yes': must be true or false"),
    ("[cluster]\nadress = 1\n", "no setting called 'adress' (did you mean 'address'?)"),
    ("[transfer\nwindow_days = 7\n", "not valid TOML"),
])
def test_invalid_values_are_clear_errors(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(toml(tmp_path, text))
    assert words in str(caught.value)


def test_config_is_found_in_the_working_folder_or_given(tmp_path: Path) -> None:
    assert find_config(None, tmp_path) is None
    path = toml(tmp_path, "")
    assert find_config(None, tmp_path) == path
    other = tmp_path / "elsewhere.toml"
    other.write_text("")
    assert find_config(other, tmp_path) == other
    with pytest.raises(ConfigError, match="does not exist"):
        find_config(tmp_path / "missing.toml", tmp_path)


def test_cli_refuses_an_invalid_config_with_exit_code_2(tmp_path: Path) -> None:
    path = toml(tmp_path, "[retention]\nmonths = -3\n")
    result = CliRunner().invoke(app, ["--config", str(path), "audit", str(tmp_path)])
    assert result.exit_code == 2
    assert "months = -3" in result.output


def test_cli_reports_a_missing_config_with_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "nope.toml"), "devices", str(tmp_path)])
    assert result.exit_code == 2 and "does not exist" in result.output
