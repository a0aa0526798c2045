"""Issue 13: nothing lost, nothing injected, nothing crashes (one test per finding)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SCENARIOS
from procsim.cli.main import main
from strategies import GOOD_EVENTS, HEADER

ROOT = Path(__file__).resolve().parents[1]
OCONNOR = (SCENARIOS / "oconnor.yaml").read_text(encoding="utf-8")


def procsim(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the command in a new process (for what could hang or depends on the environment)."""
    env = {"PATH": os.environ["PATH"], "COLUMNS": "200", "LANG": "C.UTF-8"}
    env.update({k: v for k, v in os.environ.items() if k == "PYTHONPATH"})
    return subprocess.run(
        [sys.executable, "-m", "procsim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the command in this process (fast), in ``cwd``, capturing what it prints."""
    import contextlib
    import io

    out, err, before, columns = io.StringIO(), io.StringIO(), os.getcwd(), os.environ.get("COLUMNS")
    os.chdir(cwd)
    os.environ["COLUMNS"] = "200"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture
def few_drawings(monkeypatch):
    """``diagram --all`` draws only each scenario's path (the whole set takes seconds)."""
    from procsim.render.diagram import catalogue, extract

    def drawings(processes, replays):
        processes = list(processes)
        return [catalogue.Drawing(r.scenario.id, extract.path_diagram(processes[0], r)) for r in replays]

    monkeypatch.setattr(catalogue, "drawings", drawings)


def with_title(title: str) -> str:
    head, rest = OCONNOR.split("\n", 2)[0], OCONNOR.split("\n", 2)[2]
    return f"{head}\ntitle: {title}\n{rest}"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "oconnor.yaml").write_text(OCONNOR, encoding="utf-8")
    return tmp_path


# ---------------------------------------------------------------------- 1, 2, 4, 5: output paths
def test_1_diagram_all_removes_only_what_procsim_wrote_there(tmp_path, capsys):
    from procsim.io.process_reader import load_process
    from procsim.render.diagram import extract
    from procsim.render.diagram.catalogue import MANIFEST, Drawing, write_all

    process = load_process("police_misconduct_ew")
    one = [Drawing("lists", extract.forum_diagram(process, "lists"))]
    two = [*one, Drawing("courts-x", extract.overview_diagram(process))]
    assert len(write_all(two, tmp_path).written) == 4
    mine = tmp_path / "my.svg"
    mine.write_bytes((tmp_path / "lists.svg").read_bytes())  # stamped, but the user's (drawn with -o)
    result = write_all(one, tmp_path)
    assert mine.exists()  # the user's file is kept
    assert [p.name for p in result.removed] == ["courts-x.png", "courts-x.svg"]  # and these are said
    assert (tmp_path / MANIFEST).read_text() == "lists.png\nlists.svg\n"


def test_1_the_command_says_what_it_removed(folder, capsys, few_drawings):
    out = folder / "d"
    assert main(["--scenarios", str(folder / "scenarios"), "diagram", "--all", "-o", str(out)]) == 0
    (out / "my.svg").write_bytes((out / "oconnor.svg").read_bytes())
    (folder / "scenarios" / "oconnor.yaml").rename(folder / "scenarios" / "renamed.yaml")
    capsys.readouterr()
    assert main(["--scenarios", str(folder / "scenarios"), "diagram", "--all", "-o", str(out)]) == 0
    err = capsys.readouterr().out
    assert (out / "my.svg").exists() and not (out / "oconnor.svg").exists()
    # the case page is listed, removed and said like the drawings (it was once removed unsaid)
    assert f"removed {out / 'oconnor.svg'}" in err and f"removed {out / 'oconnor.html'}" in err
    assert "removed 3" in err


def test_1_a_case_page_the_user_wrote_with_o_is_kept(folder, capsys, few_drawings):
    """procsim html X -o diagrams/my.html, then diagram --all: the user's page stays."""
    out = folder / "d"
    assert main(["--scenarios", str(folder / "scenarios"), "diagram", "--all", "-o", str(out)]) == 0
    mine = out / "my.html"
    assert main(["--scenarios", str(folder / "scenarios"), "html", "oconnor", "-o", str(mine)]) == 0
    assert main(["--scenarios", str(folder / "scenarios"), "diagram", "--all", "-o", str(out)]) == 0
    assert mine.exists()
    assert (
        main(["--scenarios", str(folder / "scenarios"), "diagram", "--all", "--check", "-o", str(out)]) == 0
    )


def test_2_output_writes_through_links_and_never_replaces_special_files(tmp_path):
    from procsim.io.atomic import write_bytes_atomic

    target = tmp_path / "real.dot"
    target.write_text("old")
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    write_bytes_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    devnull = tmp_path / "devnull"
    devnull.symlink_to(os.devnull)
    write_bytes_atomic(devnull, b"into the void")
    assert devnull.is_symlink() and Path(os.devnull).is_char_device()
    if os.geteuid() == 0:  # a device node of one's own (finding 2's mknod)
        node = tmp_path / "node"
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))
        assert main(["diagram", "--overview", "--format", "dot", "-o", str(node)]) == 0
        assert node.is_char_device()


def test_2_a_folder_is_refused_in_one_line(tmp_path, capsys):
    assert main(["diagram", "--overview", "--format", "dot", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused" in err and str(tmp_path) in err


KILLER = """
import os, signal, sys
from procsim.io import atomic
real = os.replace
def die(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = die
atomic.write_bytes_atomic(sys.argv[1], b"x" * 100000)
"""


def test_4_a_killed_write_leaves_nothing_after_the_next_run(folder, capsys, few_drawings):
    out = folder / "d"
    scenarios = str(folder / "scenarios")
    assert main(["--scenarios", scenarios, "diagram", "--all", "-o", str(out)]) == 0
    killed = subprocess.run([sys.executable, "-c", KILLER, str(out / "oconnor.svg")], cwd=folder)
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".oconnor.svg.procsim-")
    capsys.readouterr()
    assert main(["--scenarios", scenarios, "diagram", "--all", "--check", "-o", str(out)]) == 1
    assert "a partial file left by an interrupted write" in capsys.readouterr().out
    assert main(["--scenarios", scenarios, "diagram", "--all", "-o", str(out)]) == 0
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert main(["--scenarios", scenarios, "diagram", "--all", "--check", "-o", str(out)]) == 0


def test_5_write_errors_are_one_line_and_keep_the_stepper_session(folder, capsys, monkeypatch):
    monkeypatch.chdir(folder)
    (folder / "blocker").write_text("a file, not a folder")
    script = folder / "s.txt"
    script.write_text("jump 13\nwhatif 1\nsave scenarios/wi.yaml\nsave scenarios/wi.yaml\nquit\n")
    real_fsync, calls = os.fsync, []

    def full_disk_once(fd: int) -> None:  # the first save finds the disk full
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk_once)
    assert main(["--scenarios", "scenarios", "step", "oconnor", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "! not saved: scenarios/wi.yaml: cannot write: No space left on device" in out
    assert "Saved the branch to scenarios/wi.yaml" in out  # the what-if work was not lost
    assert main(["scaffold", "--to", "barred_list", "-o", "blocker/x.yaml"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("procsim: blocker/x.yaml: cannot write")


# ---------------------------------------------------------------------- 6-10: no crash
@pytest.mark.parametrize(
    "value", ["9" * 5000, "0b" + "1" * 20000, "59:" * 2000 + "1"], ids=["decimal", "binary", "sexagesimal"]
)
def test_6_huge_integers_are_refused_by_name(folder, value):
    (folder / "scenarios" / "big.yaml").write_text(with_title(value))
    checked = run("check", cwd=folder)
    assert checked.returncode == 1, checked.stderr
    assert "scenarios/big.yaml:2: a number of" in checked.stdout
    listed = run("list", cwd=folder)
    assert listed.returncode == 0 and "invalid" in listed.stdout


def test_7_bad_extends_and_link_loops_do_not_stop_a_folder_run(folder):
    scenarios = folder / "scenarios"
    child = OCONNOR.replace("sources:", "extends: EXTENDS\ndiverges_after: x\nsources:", 1)
    (scenarios / "nul.yaml").write_text(child.replace("EXTENDS", '"a\\0b"'))
    (scenarios / "long.yaml").write_text(child.replace("EXTENDS", "a" * 300))
    (scenarios / "loop-a.yaml").symlink_to("loop-b.yaml")
    (scenarios / "loop-b.yaml").symlink_to("loop-a.yaml")
    for command in (["check"], ["coverage"], ["list"]):
        result = run(*command, cwd=folder)
        assert result.returncode != 70 and "internal error" not in result.stderr, result.stderr
    checked = run("check", cwd=folder)
    lines = checked.stdout.splitlines()
    assert any(line.startswith("scenarios/nul.yaml:") and "U+0000" in line for line in lines), lines
    assert any(line.startswith("scenarios/long.yaml:") and "'extends' must name" in line for line in lines)
    assert "scenarios/loop-a.yaml: cannot read: a symbolic link loop" in lines
    assert "5 scenario files checked: 4 invalid" in checked.stdout  # oconnor was checked too
    replayed = run("replay", "loop-a", cwd=folder)
    assert replayed.stderr == "procsim: scenarios/loop-a.yaml: cannot read: a symbolic link loop\n"  # 18


def test_8_rich_markup_in_text_is_shown_as_written(folder):
    (folder / "scenarios" / "oconnor.yaml").write_text(
        with_title('"x [/] y [link=https://e.example]z[/link]"')
    )
    assert run("check", cwd=folder).returncode == 0
    for command in (["deadlines", "oconnor"], ["list"], ["replay", "oconnor"]):
        result = run(*command, cwd=folder)
        assert result.returncode == 0, result.stderr
        assert "x [/] y" in result.stdout
    deadlines = run("deadlines", "oconnor", cwd=folder)
    assert "[link=https://e.example]z[/link]" in deadlines.stdout


def test_8_no_live_hyperlink_on_a_terminal(monkeypatch, capsys):
    from rich.text import Text

    from procsim.cli import output

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(output, "console", lambda stderr=False: _recording_console())
    output.print_rich(Text("[link=https://e.example]z[/link] \x1b]52;c;aGk=\x07"))
    shown = capsys.readouterr().out
    assert "\x1b]8;" not in shown and "\x1b]52" not in shown and "\x07" not in shown
    assert "\\x1b]52;c;aGk=" in shown  # (rich itself drops a BEL)


def _recording_console():
    from rich.console import Console

    return Console(file=sys.stdout, force_terminal=True, color_system="truecolor", width=200)


def test_9_a_script_that_is_not_utf8_is_one_line(folder, capsys):
    script = folder / "s.txt"
    script.write_bytes(b"next\n\xff\xfe\n")
    assert main(["--scenarios", str(folder / "scenarios"), "step", "oconnor", "--script", str(script)]) == 1
    assert capsys.readouterr().err == f"procsim: {script}: not UTF-8 text (byte 5)\n"


def test_10_special_files_are_refused_without_waiting_or_reading_for_ever(folder):
    os.mkfifo(folder / "scenarios" / "x.yaml")
    checked = procsim("check", "scenarios", "/dev/zero", "/dev/urandom", cwd=folder, timeout=30)
    assert checked.returncode == 1, checked.stderr
    lines = checked.stdout.splitlines()
    assert "scenarios/x.yaml: is not a regular file (a device, FIFO or socket); refused" in lines
    assert "/dev/zero: is not a regular file (a device, FIFO or socket); refused" in lines
    assert "/dev/urandom: is not a regular file (a device, FIFO or socket); refused" in lines
    assert "4 scenario files checked: 3 invalid" in checked.stdout
    listed = procsim("list", cwd=folder, timeout=30)
    assert listed.returncode == 0 and "x.yaml: is not a regular file" in listed.stdout


# ---------------------------------------------------------------------- 11-15: hostile text
def test_11_12_control_characters_and_line_breaks_never_reach_the_terminal(folder):
    scenarios = folder / "scenarios"
    hostile = OCONNOR.replace(
        "trigger: record_complaint",
        'trigger: "report_to_barred_list\\nscenarios/oconnor.yaml: all valid"',
        1,
    )
    (scenarios / "spoof.yaml").write_text(hostile)
    (scenarios / "esc.yaml").write_text(with_title('"x\\e[2J\\e]52;c;aGk=\\a"'))
    weird = scenarios / "we\x1b[2Jird.yaml"
    weird.write_text("title: [")
    for command in (["check"], ["list"], ["coverage"]):
        result = run(*command, cwd=folder)
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and "\x07" not in stream, command
    checked = run("check", cwd=folder)
    spoof = [line for line in checked.stdout.splitlines() if "spoof.yaml" in line]
    assert spoof and all(
        "report_to_barred_list\\nscenarios/oconnor.yaml: all valid" in line for line in spoof
    )
    assert "scenarios/esc.yaml:2: text with the control character U+001B" in checked.stdout
    assert "scenarios/we\\x1b[2Jird.yaml:" in checked.stdout  # the line is the parser's: 1 or 2


def test_11_errors_are_one_line_whatever_they_quote():
    from procsim.core.errors import ProcsimError

    error = ProcsimError("unknown trigger 'x\x1b[2J\x1b]52;c;aGk=\x07\nok'", path="a\nb.yaml", line=3)
    assert str(error) == "a\\nb.yaml:3: unknown trigger 'x\\x1b[2J\\x1b]52;c;aGk=\\x07\\nok'"


def test_13_text_is_bounded_at_load_with_a_clear_message(folder):
    (folder / "scenarios" / "oconnor.yaml").write_text(with_title('"' + "t" * 17000 + '"'))
    checked = run("check", cwd=folder)
    assert checked.returncode == 1
    assert (
        checked.stdout.splitlines()[0]
        == "scenarios/oconnor.yaml:2: a text of 17,000 characters; the limit is 10,000"
    )
    drawn = run("diagram", "oconnor", "--format", "dot", cwd=folder)
    assert drawn.returncode == 1 and "scenarios/oconnor.yaml:2: a text of 17,000" in drawn.stderr


def test_14_graphviz_pdfs_are_the_same_in_every_time_zone(tmp_path):
    outputs = []
    for zone in ("UTC", "Asia/Kolkata", "America/St_Johns"):
        env = {"PATH": os.environ["PATH"], "TZ": zone}
        env.update({k: v for k, v in os.environ.items() if k == "PYTHONPATH"})
        path = tmp_path / f"{zone.replace('/', '-')}.pdf"
        drawn = subprocess.run(
            [sys.executable, "-m", "procsim", "diagram", "--forum", "lists", "-o", str(path)],
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        assert drawn.returncode == 0, drawn.stderr
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_15_mermaid_front_matter_escapes_noncharacters_and_overrides():
    from procsim.render.diagram.mermaid import _front_matter

    line = _front_matter("a\ufffe b\uffff c\u202e d\x9b")[1]
    assert line == 'title: "a\\ufffe b\\uffff c\\u202e d\\x9b"'


# ---------------------------------------------------------------------- 16-19: messages
def test_16_real_errors_come_before_incomplete(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("title: TODO\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "missing required key 'process'" in out and "incomplete" not in out


def test_17_one_problem_one_message(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("title: x\nsummary: y\n")
    main(["check", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(set(lines))
    assert sum("'process'" in line for line in lines) == 1


def test_18_guards_that_block_every_way_on_are_named(monkeypatch):
    from procsim.core.errors import ImpossibleEvent
    from procsim.core.stepper import Stepper
    from procsim.io.process_reader import load_process
    from procsim.workspace import engine_for

    process = load_process("police_misconduct_ew")
    stepper = Stepper(engine_for(process))
    blocked = next(t.source for t in process.transitions if t.guards)  # a state with ways on
    monkeypatch.setattr(Stepper, "state_at", lambda self, position: blocked)
    with pytest.raises(ImpossibleEvent, match="every way on is blocked by a guard"):
        stepper._pick("1", [])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("title: ~", "'title' in the scenario must be text, not empty"),
        ("title: [a, b]", "'title' in the scenario must be text, not a list"),
    ],
)
def test_19_titles_are_text(tmp_path, capsys, line, message):
    path = tmp_path / "t.yaml"
    path.write_text(HEADER.replace('title: "A test case"', line) + GOOD_EVENTS)
    assert main(["check", str(path)]) == 1
    assert message in capsys.readouterr().out


def test_19_dates_are_ascii_digits_and_urls_are_not_numbers(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(HEADER.replace('date: "2021-01-01"', 'date: "٢٠٢١-01-01"') + GOOD_EVENTS)
    assert main(["check", str(path)]) == 1
    assert "is not a date" in capsys.readouterr().out
    path.write_text(HEADER.replace('url: "https://example.org"', "url: inf") + GOOD_EVENTS)
    assert main(["check", str(path)]) == 1
    assert (
        "'url' in source 'src' must be a web address (http:// or https://), not 'inf'"
        in capsys.readouterr().out
    )
