"""The CSV fast path (numpy's C parser) reads exactly what the careful parser reads, and leaves
everything else to it (empty cells, ragged rows, bad values keep their messages)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from localtune.runtime.xgb import data
from localtune.runtime.xgb.errors import UserError

SAME = [
    "1,2,3\n4,5,6\n",
    "1, 2 ,3\r\n4,5,6\r\n",
    "1,2,3\n\n4,5,6\n",  # blank line skipped
    "nan,inf,-inf\nInfinity,+1,1e500\n",
    " 1.,.5,-0\n\t7,8,9",  # blanks around cells, no final newline
    "1;2;3\n4;5;6\n",
    "1|2|3\n",
]
CAREFUL_ONLY = [
    "1,,3\n4,5,6\n",  # empty cell: NaN
    "1,2,3\n  \n4,5,6\n",  # blank-looking line
    "1_0,2,3\n",  # Python's float reads underscores
    "1 2 3\n4 5 6\n",  # whitespace delimiter
    "",
]


def _careful(path: Path, delimiter: str) -> np.ndarray:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "_csv_fast", lambda *_: None)
        return data._csv_block(path, delimiter)


@pytest.mark.parametrize("text", SAME)
def test_fast_path_reads_what_the_careful_path_reads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(text)
    delimiter = data.sniff_delimiter(text.splitlines()[0])
    fast = data._csv_fast(path, delimiter)
    assert fast is not None
    np.testing.assert_array_equal(fast, _careful(path, delimiter))


@pytest.mark.parametrize("text", CAREFUL_ONLY)
def test_other_files_take_the_careful_path(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(text)
    delimiter = data.sniff_delimiter(text.splitlines()[0]) if text.strip() else ","
    assert data._csv_fast(path, delimiter) is None
    np.testing.assert_array_equal(data._csv_block(path, delimiter), _careful(path, delimiter))


def test_bad_value_still_named_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("1,2,3\n0,x7,1\n")
    with pytest.raises(UserError, match=r"line 2, column 2 of file 'train.csv'.*'x7'"):
        data.load([path], "csv")
