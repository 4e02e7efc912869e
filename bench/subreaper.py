#!/usr/bin/env python3
"""Run one benchmark contender and account for every process it starts (Linux only).

    python3 bench/subreaper.py REPORT.json -- COMMAND [ARGS...]

Makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that a process whose parent exits
(a Chromium a tool leaves behind, a detached Lighthouse child) is reparented here instead of to init
and is still ours to count and reap. It forks COMMAND with stdin/stdout/stderr inherited, samples
/proc every half second (which descendants exist, of what kind, their CPU ticks), and when COMMAND
exits it counts the descendants still alive (left behind), gives them 5 seconds to exit on their own
(a cleanup watchdog's sweep), kills and reaps the rest, and writes REPORT.json:
the command's exit code, its wall time, the user + sys CPU seconds of every descendant (RUSAGE_CHILDREN,
exact once all are reaped), and, from the samples, CPU seconds by kind of process and a timeline of the
browsers and Node processes. Exits with COMMAND's exit code.

Python rather than Node: a Node process cannot make itself a subreaper, and this one must not be
counted in the figures (its own CPU is RUSAGE_SELF, not RUSAGE_CHILDREN).
"""
import ctypes
import json
import os
import resource
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
TICK = os.sysconf('SC_CLK_TCK')
SAMPLE_SECONDS = 0.5
GRACE_SECONDS = 5


def proc_stat(pid):
    """(ppid, utime + stime ticks, start ticks since boot) of `pid`, or None when it is gone."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            data = f.read().decode('utf-8', 'replace')
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = data[data.rindex(')') + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[19])


def kind_of(pid, main_pid):
    """What a process is: node:main (the command), node, chromium:browser, chromium:renderer, …"""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            argv = [a.decode('utf-8', 'replace') for a in f.read().split(b'\0') if a]
    except OSError:
        return None
    if not argv:
        return 'other'
    if len(argv) == 1:
        # Chromium rewrites the command line of its helper processes into one space-separated string.
        argv = argv[0].split(' ')
    exe = os.path.basename(argv[0])
    # Chromium starts some helpers as `/proc/self/exe --type=…`.
    if 'chrom' in exe or 'headless_shell' in exe or (exe == 'exe' and any(a.startswith('--type=') for a in argv)):
        if 'crashpad' in exe:
            return 'chromium:crashpad'
        kind = next((a[len('--type='):] for a in argv if a.startswith('--type=')), 'browser')
        return f'chromium:{kind}'
    if exe.startswith('node'):
        return 'node:main' if pid == main_pid else 'node'
    if pid == main_pid:
        return f'main:{exe}'
    return f'other:{exe}'


def command_line(pid, limit=160):
    """The start of `pid`'s command line, for the timeline."""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return f.read(limit).replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except OSError:
        return ''


def descendants(root):
    """Pids whose chain of parents reaches `root` (all of them are ours: we are their subreaper)."""
    parent = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            st = proc_stat(int(name))
            if st:
                parent[int(name)] = st[0]
    out = []
    for pid in parent:
        p = pid
        for _ in range(64):
            p = parent.get(p)
            if p is None or p <= 1:
                break
            if p == root:
                out.append(pid)
                break
    return out


def main():
    if len(sys.argv) < 4 or sys.argv[2] != '--':
        sys.stderr.write(__doc__)
        return 64
    report_path, command = sys.argv[1], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_CHILD_SUBREAPER) failed')
    me = os.getpid()
    t0 = time.monotonic()
    main_pid = os.fork()
    if main_pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    # Ctrl-C reaches the whole foreground group; the command handles it, this waits for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    seen = {}  # pid -> {kind, first, last, ticks}
    exit_code = None
    wall = None

    def sample():
        now = time.monotonic() - t0
        for pid in descendants(me):
            st = proc_stat(pid)
            if not st:
                continue
            entry = seen.get((pid, st[2]))
            # A process may exec another program after it was first seen (a forked child becoming the command,
            # Debian's /usr/bin/chromium shell script becoming Chromium): look again until it is Chromium.
            if entry is None or not entry['kind'].startswith('chromium:'):
                kind = kind_of(pid, main_pid)
                if kind is None:
                    continue
                if entry is None:
                    entry = seen[(pid, st[2])] = {'kind': kind, 'first': now, 'last': now, 'ticks': 0}
                elif kind == 'other':
                    kind = entry['kind']  # a zombie has no command line left
                entry['kind'] = kind
                if kind.startswith('chromium:'):
                    entry.pop('cmd', None)
                else:
                    entry['cmd'] = command_line(pid)
            entry['last'] = now
            entry['ticks'] = st[1]

    def reap(block=False):
        nonlocal exit_code, wall
        while True:
            try:
                pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True
            if pid == main_pid:
                wall = time.monotonic() - t0
                exit_code = os.waitstatus_to_exitcode(status)
            if block:
                return True

    while exit_code is None:
        sample()
        reap()
        if exit_code is None:
            time.sleep(SAMPLE_SECONDS)

    # The command is done: whatever still runs under us was left behind.
    left_kinds = {}
    for pid in descendants(me):
        kind = kind_of(pid, main_pid)
        if kind:
            left_kinds[kind] = left_kinds.get(kind, 0) + 1
    sample()
    # A moment for what exits on its own (a tool's cleanup watchdog finishing its sweep), then kill the rest.
    grace = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < grace and descendants(me):
        reap()
        time.sleep(0.1)
    still_alive = len(descendants(me))
    sample()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = descendants(me)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not reap() and not pids:
            break
        time.sleep(0.05)
    while reap(block=True):
        pass

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    by_kind = {}
    for entry in seen.values():
        by_kind[entry['kind']] = round(by_kind.get(entry['kind'], 0) + entry['ticks'] / TICK, 2)
    timeline = sorted(
        (
            {'kind': e['kind'], 'start': round(e['first'], 1), 'end': round(e['last'], 1), 'cpu': round(e['ticks'] / TICK, 2), **({'cmd': e['cmd']} if 'cmd' in e else {})}
            for e in seen.values()
            if not e['kind'].startswith('chromium:') or e['kind'] == 'chromium:browser'
        ),
        key=lambda e: e['start'],
    )
    report = {
        'command': command,
        'exitCode': exit_code,
        'wallSeconds': round(wall, 2),
        'cpu': {'user': round(usage.ru_utime, 2), 'sys': round(usage.ru_stime, 2), 'total': round(usage.ru_utime + usage.ru_stime, 2)},
        'maxRssMB': round(usage.ru_maxrss / 1024),
        'leftBehind': {
            'chromiumProcesses': sum(n for k, n in left_kinds.items() if k.startswith('chromium:')),
            'chromiumBrowsers': left_kinds.get('chromium:browser', 0),
            'byKind': left_kinds,
            'aliveAfterGrace': still_alive,
        },
        'processesSeen': {k: sum(1 for e in seen.values() if e['kind'] == k) for k in sorted({e['kind'] for e in seen.values()})},
        'sampledCpuSecondsByKind': dict(sorted(by_kind.items(), key=lambda kv: -kv[1])),
        'timeline': timeline,
    }
    with open(report_path, 'w') as f:
        json.dump(report, f, indent=2)
    return exit_code if exit_code is not None and exit_code >= 0 else 1


if __name__ == '__main__':
    sys.exit(main())
