"""Answer cookiecutter's and copier's prompts through a pseudo-terminal, as a person would.

cookiecutter asks with rich: a numbered question, then a line ending in ``(default): ``, where
a menu is chosen by the number of its entry. copier asks with questionary: a question after a
microphone, a menu moved through with the arrow keys, and the answered question echoed
again. Both are driven with pexpect; each session records the questions in the order they
were asked and everything the tool printed, stripped of terminal escape codes.
"""

import os
import re
import time
from dataclasses import dataclass, field

import pexpect

ESCAPE_CODES = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
DOWN = "\x1b[B"
ENTER = "\r"
# copier draws a question as the microphone, a bold-style code, then the question's text.
COPIER_QUESTION = "🎤\x1b\\[0;1m ([^\x1b]*)"
# cookiecutter numbers each question ("[9/20] ") and ends the input line with ": ".
COOKIECUTTER_QUESTION = r"\[\d+/\d+\](?:\x1b\[[0-9;]*m)* "
COOKIECUTTER_INPUT = r": $"
DEFAULT_SUFFIX = re.compile(r" \([^()]*\)$")
# questionary needs a moment after drawing before it reads keys reliably.
DRAW_PAUSE = 0.3
# Between copier's menu pointer and the label: colour codes and spaces.
STYLING = r"(?:\x1b\[[0-9;?]*[a-zA-Z]|\s)*"
ANY_POINTER = re.compile("»" + STYLING + r"\S")
MAX_CHOICES = 10
TIMEOUT = 60


@dataclass
class Session:
    """What a person saw: the questions in order, the whole screen text, the exit status."""

    questions: list = field(default_factory=list)
    screen: str = ""
    exit_status: int | None = None


def plain(text):
    """Terminal output without colour and cursor escape codes."""
    return ESCAPE_CODES.sub("", text)


def spawn(command, cwd, term):
    """Start ``command`` on a pseudo-terminal wide enough that no question wraps.

    prompt_toolkit (under copier's questionary) would ask the terminal where its cursor is
    and wait for an answer that a pseudo-terminal never gives: PROMPT_TOOLKIT_NO_CPR skips it.
    """
    env = {**os.environ, "TERM": term, "COLUMNS": "240", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        command[0],
        command[1:],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(60, 240),
    )


def answer_for(question, answers, fallback):
    """The answer whose key starts the question's text, or ``fallback`` (take the default)."""
    return next((value for key, value in answers.items() if question.startswith(key)), fallback)


def question_text(asked):
    """A cookiecutter question without its default: a one-line question ends with it in
    parentheses; a menu or a typed level states the question on its first line."""
    lines = asked.splitlines()
    return DEFAULT_SUFFIX.sub("", lines[0]) if len(lines) == 1 else lines[0]


def run_cookiecutter(command, cwd, typed):
    """Run cookiecutter, typing ``typed[question prefix]`` (Enter alone elsewhere)."""
    # Not a dumb terminal: rich would wrap every line at 80 columns there.
    child, session, transcript = spawn(command, cwd, "xterm"), Session(), []
    while child.expect([COOKIECUTTER_QUESTION, pexpect.EOF]) == 0:
        transcript.append(child.before)
        child.expect(COOKIECUTTER_INPUT)
        asked = plain(child.before).strip()
        transcript.append(child.before)
        session.questions.append(question_text(asked))
        child.sendline(answer_for(asked, typed, ""))
    transcript.append(child.before)
    session.screen = plain("".join(transcript))
    child.close()
    session.exit_status = child.exitstatus
    return session


def highlight(child, label, transcript):
    """Press the down arrow until copier's menu points at ``label``.

    Each draw of the menu has one pointer; after each press the next draw is awaited and
    read (rather than counting presses), so a slow machine cannot lose a key.
    """
    pointed = re.compile("»" + STYLING + re.escape(label))
    for _ in range(MAX_CHOICES):
        found = child.expect([pointed, ANY_POINTER])
        transcript.append(child.before + child.after)
        if found == 0:
            return
        child.send(DOWN)
    raise AssertionError(f"copier's menu never pointed at {label!r}")


def run_copier(command, cwd, choose):
    """Run copier, choosing ``choose[question prefix]`` (a choice's label) from a menu and
    pressing Enter on every other question, which takes its default."""
    # questionary's menus need a terminal that moves the cursor.
    child, session, transcript = spawn(command, cwd, "xterm"), Session(), []
    while child.expect([COPIER_QUESTION, pexpect.EOF]) == 0:
        asked = child.match.group(1).strip()
        session.questions.append(asked)
        transcript.append(child.before)
        label = answer_for(asked, choose, None)
        if label is None:
            time.sleep(DRAW_PAUSE)
        else:
            highlight(child, label, transcript)
        child.send(ENTER)
        child.expect(COPIER_QUESTION)  # the answered question, echoed with its answer
        transcript.append(child.before)  # the menu as drawn, disabled choices included
    transcript.append(child.before)
    session.screen = plain("".join(transcript))
    child.close()
    session.exit_status = child.exitstatus
    return session
