"""The stepper: driven through a pseudo-terminal and read off the screen, and by script."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

from conftest import SCENARIOS
from procsim.cli.main import main
from procsim.core.errors import EngineError
from procsim.core.stepper import Stepper
from procsim.io.process_reader import load_process
from procsim.io.scenario_reader import load_scenario
from procsim.workspace import engine_for

RIGHT, LEFT = "\x1b[C", "\x1b[D"


class Terminal:
    """A program in a pseudo-terminal, with the screen a person would see."""

    def __init__(self, args: list[str], cwd: Path, rows: int = 60, cols: int = 150):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": str(cwd)}
        self.child = pexpect.spawn(
            sys.executable, ["-m", "procsim", *args], cwd=str(cwd), env=env, dimensions=(rows, cols)
        )

    def _pump(self) -> None:
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.1)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def flat(self) -> str:
        """The screen as one line, so phrases that wrapped can be found."""
        return " ".join(self.text().split())

    def wait_for(self, *needles: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump()
            screen = self.text()
            if all(needle in screen for needle in needles):
                return screen
        raise AssertionError(f"not on screen: {needles}\n--- screen ---\n{self.text()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> int:
        self.child.expect(pexpect.EOF, timeout=15)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    return tmp_path


def test_stepping_with_arrow_keys_and_commands_in_a_terminal(workdir):
    term = Terminal(["step", "oconnor"], workdir)
    term.wait_for("Start (0 of 33 steps)", "What can happen next")
    term.send(RIGHT)
    screen = term.wait_for("Step 1 of 33", "23 October 2011")
    assert "conduct (side event)" in screen and "Sources:" in screen
    term.send(RIGHT)
    term.wait_for("Step 2 of 33", "24 October 2011")
    term.send(LEFT)
    term.wait_for("Step 1 of 33")
    term.send(RIGHT * 3 + LEFT)  # keys pressed in quick succession stay apart
    term.wait_for("Step 3 of 33 ", "26 October 2020")
    term.send("details\r")
    term.wait_for("Step 3: sources", "Press Enter to go back")
    term.send("\r")
    term.wait_for("Step 3 of 33 ")
    term.send("jump 13\r")
    term.wait_for("Step 13 of 33", "5 October 2021", "final written warning")
    screen = term.flat()
    assert "JR claim issued: promptly and in any event within 3 months" in screen
    assert "due 5 January 2022" in screen and "due 19 October 2021" in screen  # running limits
    assert "expired" not in screen  # what happens later is not given away
    assert "(what happened)" in screen
    assert "would have been dismissed, no action (former officer) not available: former officer" in screen
    assert "(officer's status: serving)" in screen  # facts in words; names in details
    assert "Step 13 of 33 - 5 October 2021 - Final written warning" in screen  # the footer
    term.send("explain final_written_warning\r")
    term.wait_for("Press Enter to go back")
    term.send("\r")
    term.wait_for("Step 13 of 33")  # Enter returns to the step
    term.send("\r")
    term.wait_for("Step 14 of 33")  # and then Enter is 'next'
    term.send("q\r")
    assert term.close() == 0


def test_what_if_branch_saved_replays_and_checks(workdir):
    term = Terminal(["step", "oconnor"], workdir)
    term.wait_for("Start (0 of 33 steps)")
    term.send("jump 13\r")
    screen = term.wait_for("Step 13 of 33")
    assert "[2] dismissal without notice -> Dismissed without notice" in screen
    term.send("whatif 2 2021-10-05\r")
    screen = term.wait_for("what-if branch", "Dismissed without notice", "Step 13 of 13")
    assert "What can happen next" in screen and "[1] reported to barred list" in screen
    term.send("choose 1 2021-10-08\r")
    term.wait_for("Step 14 of 14", "Barred list")
    term.send("save scenarios/oconnor-dismissed-whatif.yaml\r")
    term.wait_for("Saved the branch to scenarios/oconnor-dismissed-whatif.yaml")
    term.send("q\r")
    assert term.close() == 0
    saved = workdir / "scenarios" / "oconnor-dismissed-whatif.yaml"
    text = saved.read_text()
    assert "extends: oconnor" in text and "diverges_after: panel-finds-gross-misconduct-2021-10-05" in text
    replayed = subprocess.run(
        [sys.executable, "-m", "procsim", "replay", "oconnor-dismissed-whatif"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert replayed.returncode == 0, replayed.stderr
    assert "Final state: Barred list (barred_list)" in replayed.stdout
    checked = subprocess.run(
        [sys.executable, "-m", "procsim", "check", str(saved)], cwd=workdir, capture_output=True, text=True
    )
    assert checked.returncode == 0 and "all valid" in checked.stdout, checked


def test_quiz_in_a_terminal(workdir):
    term = Terminal(["step", "oconnor", "--quiz"], workdir)
    screen = term.wait_for("What happens next?", "Quiz - step 3 of 33")
    assert "[1] complaint made -> Complaint received" in screen
    term.send("1\r")
    term.wait_for("Right!", "score 1/1")
    term.send("q\r")
    term.wait_for("Score: 1 of 1 right.")
    assert term.close() == 0


def test_script_drives_the_stepper_in_plain_text(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    script = tmp_path / "walk.txt"
    script.write_text("# a walk\nnext\nnext\nnext\njump 24\nback\nwhatif 9\nhelp\nquit\n")
    assert main(["--scenarios", str(SCENARIOS), "step", "oconnor", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "step> jump 24" in out and "Step 24 of 33" in out and "Step 23 of 33" in out
    assert "\x1b[" not in out  # plain text off a terminal
    assert "! choose a number from 1 to" in out  # a bad what-if number is explained, not fatal


@pytest.fixture
def stepper() -> Stepper:
    process = load_process("police_misconduct_ew")
    return Stepper(engine_for(process), load_scenario(SCENARIOS / "oconnor.yaml"))


def test_what_if_numbers_match_the_options_shown(stepper):
    stepper.jump(13)
    options = stepper.what_if_options()
    assert [t.trigger for t in options] == ["impose_reduction_in_rank", "dismiss_without_notice"]
    step = stepper.what_if("2")
    assert step.transition.trigger == "dismiss_without_notice"
    assert stepper.branch_at == 12 and stepper.total == 13


def test_blocked_options_carry_the_reason(stepper):
    stepper.jump(13)
    blocked = {
        c.transition.trigger: c.option.blocked_by
        for c in stepper.alternatives_to_current()
        if not c.option.allowed
    }
    reason = blocked["find_would_have_been_dismissed"][0].describe()
    assert "applies only to an officer who has resigned or retired" in reason
    assert "officer_status=serving" in reason


def test_running_limits_have_due_dates(stepper):
    stepper.jump(13)
    running = {run.trigger: run for run in stepper.running_limits()}
    assert running["issue_claim"].due[0].isoformat() == "2022-01-05"
    assert running["give_pat_notice"].due[0].isoformat() == "2021-10-19"


def test_quiz_scores(stepper):
    stepper.jump(2)
    assert stepper.answer("1").correct
    stepper.jump(12)
    assert (
        stepper.answer("reduction_in_rank".replace("reduction_in_rank", "impose_reduction_in_rank")).correct
        is False
    )
    assert stepper.score() == (1, 2)


def test_choosing_a_blocked_option_is_refused(stepper):
    stepper.jump(12)
    from procsim.core.errors import EngineError

    with pytest.raises(EngineError, match="blocked here by a guard"):
        stepper.choose("find_would_have_been_dismissed")


def test_jump_out_of_range(stepper):
    from procsim.core.errors import EngineError

    with pytest.raises(EngineError, match="steps run from 1 to 33"):
        stepper.jump(99)


def test_a_step_fits_a_small_terminal_most_important_first(workdir):
    term = Terminal(["step", "oconnor"], workdir, rows=24, cols=80)
    term.wait_for("Start (0 of 33 steps)")
    term.send("jump 13\r")
    screen = term.wait_for("Step 13 of 33 - 5 October 2021")
    lines = screen.splitlines()
    assert lines[0].startswith("R (O'Connor) v Police Misconduct Panel")  # the title did not scroll off
    assert "What happened: final written warning" in screen and "Step 13 of 33  5 October 2021" in screen
    assert "Not shown (too little room)" in term.flat() and "details" in screen
    assert "Commands:" not in screen  # the command list is not reprinted on every screen
    term.send("help\r")
    screen = term.wait_for("Commands:")
    assert "whatif N [DATE]" in screen and "real, r" in screen
    term.send("q\r")
    term.wait_for("Step 13 of 33 - 5 October 2021")
    term.send("q\r")
    assert term.close() == 0


def test_real_leaves_a_what_if_and_branch_returns(stepper):
    stepper.jump(13)
    stepper.what_if("2")
    assert stepper.branch_at == 12 and stepper.total == 13
    with pytest.raises(EngineError, match="type 'real'"):
        stepper.jump(20)
    stepper.to_real()
    assert stepper.branch_at is None and stepper.position == 13 and stepper.total == 33
    stepper.jump(20)  # the real case's steps are all there again
    stepper.to_branch()
    assert stepper.branch_at == 12 and stepper.position == 13
    assert stepper.current_step.transition.trigger == "dismiss_without_notice"


def test_what_if_on_what_really_happened_is_the_real_case(stepper):
    stepper.jump(13)
    stepper.what_if("2")
    real = [t.trigger for t in stepper.what_if_options()].index("impose_final_written_warning") + 1
    stepper.what_if(str(real))
    assert stepper.branch_at is None and stepper.total == 33 and stepper.position == 13
    stepper.to_branch()  # the branch left behind is kept
    assert stepper.branch_at == 12


def test_quiz_asks_only_where_there_was_a_choice_and_says_why(stepper):
    while stepper.position < stepper.total and not stepper.is_question():
        stepper.next()
    assert len(stepper.quiz_options()) > 1
    actual = stepper.steps[stepper.position].transition
    result = stepper.answer(actual.trigger)
    assert result.correct and "Why: the law allows it: " + actual.basis in result.explanation


def test_script_transcript_reads_as_words(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    script = tmp_path / "walk.txt"
    script.write_text(
        "next\nnext\nnext\njump 13\nexplain final written warning\nexplain 2\nexplain final writen warnin\n"
        "whatif 2\ndetails\nreal\nhelp\nquit\n"
    )
    assert main(["step", "oconnor", "--script", str(script), "--scenarios", str(SCENARIOS)]) == 0
    out = capsys.readouterr().out
    before_details = out.split("step> details")[0]
    assert "None" not in before_details and "unset" not in out and "=false" not in before_details
    assert "Fact: date of the complaint or conduct matter: not set -> 26 October 2020" in out
    assert "Final written warning  state 'final_written_warning'" in out  # explain by its words
    assert "trigger 'dismiss_without_notice'" in out  # explain by an option's number
    assert "(did you mean 'final_written_warning'?)" in out
    assert "[what-if]" not in out and "No source: this step is your what-if" in out
    assert "fww_live_at_severity_assessment=false" in out  # the fact's name is in details
    assert "Back to what really happened" in out
    assert "What if: the case goes" not in out and "whatif is offered" not in out
    assert out.count("Commands:") == 1  # the command list only on help


def test_second_what_if_earlier_than_the_first_saves_the_branch_it_shows(workdir, capsys, monkeypatch):
    """Finding 3 of issue 13: the branch point is where the *current* branch leaves the scenario."""
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("COLUMNS", "200")
    script = workdir / "walk.txt"
    commands = ["jump 13", "whatif 1", "jump 3", "whatif 1", *["choose 1"] * 11, "save scenarios/wi.yaml"]
    script.write_text("\n".join([*commands, "quit"]) + "\n")
    assert main(["--scenarios", "scenarios", "step", "oconnor", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Saved the branch to scenarios/wi.yaml" in out
    saved = load_scenario(workdir / "scenarios" / "wi.yaml")
    assert saved.extends == "oconnor"
    base = load_scenario(workdir / "scenarios" / "oconnor.yaml")
    assert saved.diverges_after == base.events[1].id  # the what-if at step 3 replaced the third event
    assert len(saved.own_events) == 12  # the what-if and all eleven chosen steps are kept
    assert main(["check", "scenarios/wi.yaml"]) == 0
    assert "all valid" in capsys.readouterr().out


def test_the_stepper_judges_limits_as_the_scenario_ends(stepper):
    """A concluded case's limits still open at its end are not shown 'open' (issue 10)."""
    from procsim.workspace import replay_scenario

    replayed = replay_scenario("oconnor", SCENARIOS)
    assert [(r.trigger, r.verdict) for r in stepper.limit_runs()] == [
        (r.trigger, r.verdict) for r in replayed.runs
    ]
    assert all(r.verdict != "open" for r in stepper.limit_runs())
