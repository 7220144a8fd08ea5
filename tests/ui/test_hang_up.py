"""A terminal that hung up without a SIGHUP reaching the program (a shell over SSH in
between) is noticed on the autosave tick: drafts are kept and the program ends."""

import os
import subprocess
import sys

from order_tui.app import terminal_gone


def test_a_deleted_terminal_is_noticed() -> None:
    main, child = os.openpty()
    probe = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from order_tui.app import terminal_gone\n"
            "print(terminal_gone(), flush=True)\n"
            "time.sleep(0.3)\n"
            "print(terminal_gone())",
        ],
        stdin=child,
        stdout=subprocess.PIPE,
        text=True,
    )
    os.close(child)
    first = probe.stdout.readline()  # type: ignore[union-attr]
    os.close(main)  # the far end goes: the pseudo-terminal is deleted
    rest = probe.communicate(timeout=20)[0]
    assert (first.strip(), rest.strip()) == ("False", "True")


def test_no_standard_input_is_not_a_hang_up() -> None:
    assert terminal_gone("/nonexistent/fd/0") is False
