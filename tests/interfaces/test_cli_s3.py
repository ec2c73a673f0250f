"""`localtune s3 cp|ls`: data in, models out, escapes refused — through the real command line."""

from __future__ import annotations

from localtune.interfaces.cli import main


def test_cp_in_ls_and_cp_out(tmp_path, capsys):
    home = tmp_path / "home"
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("1,0.5\n0,0.25\n")
    (data / "more").mkdir()
    (data / "more" / "extra.csv").write_text("1,1\n")
    assert main(["--home", str(home), "s3", "cp", str(data), "s3://bkt/in/", "--recursive"]) == 0
    assert (home / "s3" / "bkt" / "in" / "more" / "extra.csv").read_text() == "1,1\n"
    capsys.readouterr()
    assert main(["--home", str(home), "s3", "ls", "s3://bkt/in/"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing == ["         PRE  s3://bkt/in/more/", "          13  s3://bkt/in/train.csv"]
    out = tmp_path / "out.csv"
    assert main(["--home", str(home), "s3", "cp", "s3://bkt/in/train.csv", str(out)]) == 0
    assert out.read_text() == "1,0.5\n0,0.25\n"


def test_missing_objects_and_escapes_are_clear_errors(tmp_path, capsys):
    home = str(tmp_path / "home")
    assert main(["--home", home, "s3", "cp", "s3://bkt/none.csv", str(tmp_path / "x")]) == 1
    assert "No object at s3://bkt/none.csv" in capsys.readouterr().err
    assert main(["--home", home, "s3", "ls", "s3://bkt/../../etc/"]) == 1
    assert "'..'" in capsys.readouterr().err
