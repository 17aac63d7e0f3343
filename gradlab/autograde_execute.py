"""Autograde so that a crash or an endless loop costs one answer, not the whole submission.

nbgrader's ``Execute`` preprocessor gives up on a notebook when the kernel dies (a
segmentation fault, ``os._exit``, the out-of-memory killer): the submission is removed and
the student scores 0, however many answers were right. And one cell timeout covers lesson
cells and answers alike, so it must be generous (600 s) and an endless loop in an answer
costs that long.

:class:`ResilientExecute` is ``Execute`` with three changes:

* **the kernel dies in a cell**: the cell gets an error output naming what happened
  (``KernelDied: the kernel died while running this cell: ... segmentation fault``), so a
  test cell scores 0 and the feedback says why; then a new kernel starts, the cells above
  are re-run (without the ones that crashed or timed out) and grading goes on;
* **a cell runs too long**: student answers (nbgrader solution cells) and autograded test
  cells get their own, short limit, ``answer_timeout`` (30 s unless set) of the kernel's
  *CPU time*, so a busy grading machine (a class graded on every core, a shared hub at load
  8) gives the same verdicts as an idle one; lesson cells keep ``Execute.timeout``. A cell
  over its limit is interrupted and gets an error output saying so; if it does not stop
  when interrupted (a loop that catches ``KeyboardInterrupt``) the kernel is stopped and
  restarted as after a crash. A cell that waits without computing (``time.sleep``) is
  stopped by the wall-clock ceiling ``answer_wall_timeout`` (600 s). Where the kernel's CPU
  time cannot be read (no ``psutil``, Windows), ``answer_timeout`` is a wall-clock limit;
* after ``max_kernel_restarts`` restarts in one notebook it stops trying: the remaining
  cells get a "not run" error output (they score 0) and the notebook is still graded;
* **lean mode** (``lean``, on unless set off): kernels start with ``GRADLAB_AUTOGRADING=1``
  in their environment, so gradlab's explorers and path players return a one-line
  placeholder and figures are not rendered (``gradlab._grading_mode``). Answers and checks
  run as before: the scores are the same (``tests/test_grade_class.py``), only the lesson
  cells' pictures are missing from the autograded copies and the feedback.

Apart from lean mode, a notebook without faults runs exactly as under ``Execute``: the
changes only act on a fault. Enable it in ``nbgrader_config.py``::

    from gradlab.autograde_execute import use_resilient_execute
    use_resilient_execute(c, answer_timeout=30)   # lean=False: draw the pictures too

This module imports nbgrader (not TensorFlow); it is read by ``nbgrader autograde``, not by
the notebooks.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat import NotebookNode
from traitlets import Bool, Integer

try:
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "gradlab.autograde_execute extends nbgrader's Execute preprocessor, and nbgrader is not "
        "installed here: install it (`pip install nbgrader`, or gradlab's `dev` extra) in the "
        "environment that runs `nbgrader autograde`") from error

__all__ = ["ResilientExecute", "use_resilient_execute"]

LEAN_ENV = "GRADLAB_AUTOGRADING"  # read by gradlab._grading_mode in the kernel

_RED, _RESET = "\x1b[0;31m", "\x1b[0m"
_CRASH_SIGNALS = {signal.SIGSEGV: "a segmentation fault: the code read or wrote memory it must not touch",
                  signal.SIGBUS: "a bus error: the code read or wrote memory it must not touch",
                  signal.SIGILL: "an illegal instruction",
                  signal.SIGFPE: "a floating-point exception in compiled code",
                  signal.SIGABRT: "an abort: a compiled library gave up (often after running out of memory)"}


def describe_exit(status: int | None) -> str:
    """Say in words how a kernel process ended, from its exit status.

    Parameters
    ----------
    status : int or None
        The process's return code as ``subprocess.Popen.returncode`` gives it: negative for
        a signal, ``None`` when it is unknown.

    Returns
    -------
    str
        A phrase naming the cause, e.g. ``"it crashed with signal 11 (SIGSEGV, ...)"``.

    Examples
    --------
    >>> describe_exit(-9)[:33]
    'it was killed with signal 9 (SIGK'
    """
    if status is None:
        return "it stopped answering"
    if status < 0:
        try:
            sig = signal.Signals(-status)
        except ValueError:
            return f"it was ended by signal {-status}"
        if sig == signal.SIGKILL:
            return ("it was killed with signal 9 (SIGKILL), most often by the system when memory "
                    "runs out: look for an array or a list that grows far too large")
        if sig in _CRASH_SIGNALS:
            return f"it crashed with signal {sig.value} ({sig.name}, {_CRASH_SIGNALS[sig]})"
        return f"it was ended by signal {sig.value} ({sig.name})"
    return (f"the Python process exited with status {status} (os._exit(), or a library that "
            "called exit())")


def error_output(ename: str, evalue: str, *more: str) -> NotebookNode:
    """An nbformat error output: nbgrader scores a test cell holding one 0, and shows it as feedback."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{_RED}{ename}{_RESET}: {evalue}", *more])


def is_answer_cell(cell: NotebookNode) -> bool:
    """Whether a cell holds a student's answer or an autograded test (nbgrader metadata)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("solution") or meta.get("grade"))


class ResilientExecute(Execute):
    """nbgrader's ``Execute``, where a crash or a loop fails one cell and grading goes on.

    Configure it as ``Execute`` (``c.Execute.timeout`` applies to it too) plus the two
    settings below; enable it with :func:`use_resilient_execute`.
    """

    answer_timeout = Integer(
        30, allow_none=True,
        help="CPU seconds a student's answer (solution cell) or an autograded test cell may use before "
             "it is stopped and fails (wall-clock seconds where the kernel's CPU time cannot be read); "
             "other cells keep Execute.timeout. None or 0: Execute.timeout for all.",
    ).tag(config=True)

    answer_wall_timeout = Integer(
        600, help="Wall-clock seconds an answer or test cell may take, whatever its CPU time (a cell "
                  "that sleeps or waits); answer_timeout is CPU time.",
    ).tag(config=True)

    interrupt_grace = Integer(
        10, help="CPU seconds a cell may go on computing after it is interrupted before its kernel is "
                 "stopped and restarted (a loop that catches KeyboardInterrupt).",
    ).tag(config=True)

    max_kernel_restarts = Integer(
        10, help="Kernel restarts allowed per notebook; after that the remaining cells are not run (0 points).",
    ).tag(config=True)

    # nbclient's 4 s: after interrupting a loop, a busy grading machine can take longer to
    # say the cell is done, and the cell would be taken for one that ignores interrupts
    iopub_timeout = Integer(
        10, help="Seconds to wait for a cell's last outputs once it has replied (nbclient's iopub_timeout).",
    ).tag(config=True)

    lean = Bool(
        True, help="Start kernels with GRADLAB_AUTOGRADING=1: gradlab's explorers and players are not "
                   "built and figures not rendered (answers and checks run as usual).",
    ).tag(config=True)

    restart_note = ("The autograder started a new kernel, re-ran the cells above (not the ones that "
                    "failed this way) and went on with the next cell.")

    def reset_execution_trackers(self) -> None:
        """Also forget the previous notebook's faults (nbconvert calls this once per notebook)."""
        super().reset_execution_trackers()
        self._faulty: set[int] = set()
        self._restarts = 0
        self._given_up = False

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        """Start the kernel as ``Execute`` does, with ``GRADLAB_AUTOGRADING=1`` in lean mode."""
        if self.lean:
            kwargs["env"] = {**kwargs.get("env", os.environ), LEAN_ENV: "1"}
        await super().async_start_new_kernel(**kwargs)

    # nbclient binds its sync twin to its own coroutine; nbconvert's preprocess calls the twin
    start_new_kernel = run_sync(async_start_new_kernel)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        if self.timeout_func is None and cell is not None and is_answer_cell(cell) and self.answer_timeout:
            if self._kernel_pid() is not None and _cpu_seconds(self._kernel_pid()) is not None:
                return max(self.answer_wall_timeout, self.answer_timeout)  # CPU time is watched
            return self.answer_timeout if self.answer_timeout > 0 else None
        return super()._get_timeout(cell)

    def _kernel_pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None) if os.name == "posix" else None  # SIGINT interrupts: POSIX

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None) -> dict | None:
        reply = await super()._async_handle_timeout(timeout, cell)
        if reply is not None:  # interrupted: say what happened instead of nbgrader's bare "timeout"
            clock = " (wall clock)" if timeout == self.answer_wall_timeout else ""
            out = error_output("CellTimeoutError", f"this cell ran longer than {timeout} s{clock} and was stopped",
                               "Look for a loop that never ends (a `while` whose condition never changes) "
                               "or a far too large range.")
            reply["content"].update(ename=out.ename, evalue=out.evalue, traceback=out.traceback)
        return reply

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        """Run one cell; on a dead or stuck kernel, fail this cell only and carry on."""
        if self._given_up:
            self._mark_not_run(cell)
            return cell, self.resources
        watch = None
        if is_answer_cell(cell) and self.answer_timeout and self.timeout_func is None:
            pid = self._kernel_pid()
            if pid is not None and _cpu_seconds(pid) is not None:
                watch = _CpuWatch(pid, self.answer_timeout, self.interrupt_grace)
                watch.start()
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if watch is not None and watch.stop() == "interrupted":
                cell.outputs = [self._cpu_timeout() if o.get("output_type") == "error" else o
                                for o in cell.get("outputs", [])]
            return cell, resources
        except DeadKernelError:
            if watch is not None and watch.stop() == "killed":
                fault = error_output("CellTimeoutError", f"this cell used more than {self.answer_timeout} s of "
                                     "CPU time and did not stop when interrupted", self.restart_note)
            else:
                fault = error_output("KernelDied", "the kernel died while running this cell: "
                                     + describe_exit(self._exit_status()), self.restart_note)
        except CellTimeoutError:  # over its (wall-clock) time and deaf to the interrupt
            fault = error_output("CellTimeoutError", f"this cell ran longer than {self._get_timeout(cell)} s "
                                 f"{'(wall clock) ' if watch is not None else ''}and did not stop when "
                                 "interrupted", self.restart_note)
        finally:
            if watch is not None:
                watch.stop()
        self.log.warning("Cell %d: %s", index, fault.evalue)
        cell.outputs = [*cell.get("outputs", []), fault]  # keep what it printed before
        self._faulty.add(index)
        self._recover(index)
        return cell, self.resources

    def _cpu_timeout(self) -> NotebookNode:
        return error_output("CellTimeoutError", f"this cell used more than {self.answer_timeout} s of CPU time "
                            "and was stopped", "Look for a loop that never ends (a `while` whose condition "
                            "never changes) or a far too large range.")

    def _mark_not_run(self, cell: NotebookNode) -> None:
        if cell.cell_type == "code" and cell.source.strip():
            times = f"{self._restarts} time{'s' if self._restarts != 1 else ''}"
            cell.outputs = [error_output(
                "NotRun", f"not run: the kernel died or hung, and was restarted {times} in this notebook "
                          "(c.ResilientExecute.max_kernel_restarts), so the autograder stopped here")]

    def _exit_status(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return None if process is None else process.poll()

    def _recover(self, upto: int) -> None:
        """A fresh kernel holding what cells ``0 .. upto-1`` computed, or give up after too many restarts."""
        while True:
            if self._restarts >= self.max_kernel_restarts:
                self.log.warning("%d kernel restarts: the remaining cells are not run", self._restarts)
                self._given_up = True
                return
            self._restarts += 1
            run_sync(self._async_restart_kernel)()
            failed = run_sync(self._async_replay)(upto)
            if failed is None:
                return
            self.log.warning("Cell %d failed when re-run after a restart; it is left out from now on", failed)
            self._faulty.add(failed)

    async def _async_restart_kernel(self) -> None:
        if self.km is not None and await ensure_async(self.km.is_alive()):
            await ensure_async(self.km.shutdown_kernel(now=True))  # a hung kernel: no graceful wait
        await self._async_cleanup_kernel()
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

    async def _async_replay(self, upto: int) -> int | None:
        """Re-run the cells above ``upto`` that did not fail; the index of one that fails now, else None.

        The outputs are not kept: the notebook keeps those of the first run.
        """
        assert self.kc is not None
        for index, cell in enumerate(self.nb.cells[:upto]):
            if index in self._faulty or cell.cell_type != "code" or not cell.source.strip():
                continue
            if self.skip_cells_with_tag in cell.metadata.get("tags", []):
                continue
            msg_id = await ensure_async(self.kc.execute(cell.source, store_history=False, stop_on_error=False))
            try:
                reply = await self.async_wait_for_reply(msg_id, cell)
            except DeadKernelError:
                return index
            if reply is None:  # over its time limit
                return index
        return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process and its threads; None where they cannot be read."""
    try:
        import psutil  # installed with Jupyter's server in most environments
    except ImportError:
        return _proc_cpu_seconds(pid)
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:  # no such process, no permission: no CPU limit
        return None
    return times.user + times.system


def _proc_cpu_seconds(pid: int) -> float | None:
    """The same from Linux's /proc, without psutil (fields 14 and 15: user and system ticks)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class _CpuWatch(threading.Thread):
    """Interrupts a kernel once a cell has used ``limit`` CPU seconds; kills it ``grace`` later.

    CPU time, not wall-clock time: on a machine busy with other work a cell gets fewer CPU
    seconds per second, and its verdict must not change with that.
    """

    def __init__(self, pid: int, limit: float, grace: float) -> None:
        super().__init__(daemon=True, name="gradlab-cpu-watch")
        self.pid, self.limit, self.grace = pid, limit, grace
        self.fired: str | None = None
        self._done = threading.Event()
        self._start = _cpu_seconds(pid) or 0.0

    def run(self) -> None:
        while not self._done.wait(0.1):
            now = _cpu_seconds(self.pid)
            if now is None:
                return
            used = now - self._start
            try:
                if self.fired is None and used > self.limit:
                    self.fired = "interrupted"
                    os.kill(self.pid, signal.SIGINT)  # what the kernel's interrupt does on POSIX
                elif self.fired == "interrupted" and used > self.limit + self.grace:
                    self.fired = "killed"
                    os.kill(self.pid, signal.SIGKILL)
                    return
            except ProcessLookupError:
                return

    def stop(self) -> str | None:
        """Stop watching; what happened: None, ``"interrupted"`` or ``"killed"``."""
        self._done.set()
        return self.fired


def use_resilient_execute(c: Any, answer_timeout: int | None = 30, lean: bool = True) -> None:
    """Make ``nbgrader autograde`` run notebooks with :class:`ResilientExecute`.

    Call it in ``nbgrader_config.py``; it replaces ``Execute`` in
    ``c.Autograde.autograde_preprocessors`` (nbgrader's default list unless you set one)
    and keeps every other preprocessor and setting.

    Parameters
    ----------
    c : traitlets.config.Config
        The ``c = get_config()`` of ``nbgrader_config.py``.
    answer_timeout : int or None, default=30
        CPU seconds a solution cell or an autograded test cell may use (wall-clock seconds
        where CPU time cannot be read); other cells keep ``c.Execute.timeout``. ``None``:
        ``Execute.timeout`` for every cell.
    lean : bool, default=True
        Skip building explorers and players and rendering figures (same scores, faster; see
        ``ResilientExecute.lean``). ``False``: the autograded copies show every picture.

    Examples
    --------
    >>> from traitlets.config import Config
    >>> c = Config()
    >>> use_resilient_execute(c, answer_timeout=20)
    >>> c.Autograde.autograde_preprocessors[0].__name__, c.ResilientExecute.answer_timeout
    ('ResilientExecute', 20)
    >>> c.ResilientExecute.lean
    True
    """
    if answer_timeout is not None and (not isinstance(answer_timeout, int) or answer_timeout <= 0):
        raise ValueError(f"answer_timeout must be a positive number of seconds or None, got {answer_timeout!r}")
    if not isinstance(lean, bool):
        raise ValueError(f"lean must be True or False, got {lean!r}")
    if "autograde_preprocessors" in c.Autograde:
        current = list(c.Autograde.autograde_preprocessors)
    else:
        current = list(Autograde.class_traits()["autograde_preprocessors"].default())
    names = {"Execute", "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.execute.Execute"}
    swapped = [ResilientExecute if pp is Execute or pp in names else pp for pp in current]
    if ResilientExecute not in swapped:
        raise ValueError("c.Autograde.autograde_preprocessors has no Execute to replace: "
                         f"{current!r}; put nbgrader's Execute back in the list (or leave the list unset)")
    c.Autograde.autograde_preprocessors = swapped
    c.ResilientExecute.answer_timeout = answer_timeout
    c.ResilientExecute.lean = lean
