"""``tsforge profile``'s progress bar goes to stderr: on stdout, its last state ("profiling ━━━
30/30") landed above the summary a user pipes or redirects."""

from __future__ import annotations

from tsforge.cli import main


def test_the_progress_bar_goes_to_stderr_and_stdout_holds_the_summary_only(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["profile", "synthetic_panel"])
    out, err = capsys.readouterr()
    assert "profiling" not in out and "120/120" not in out
    assert "series, last ≤ 336 values each" in " ".join(out.split())  # the summary stays on stdout
    assert "profiling" in err and "120/120" in err  # the bar was drawn, where progress belongs
