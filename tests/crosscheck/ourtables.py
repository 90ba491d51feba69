# SPDX-License-Identifier: GPL-2.0-only
"""Our generated command tables, as `gpu-audit --dump-table --json` prints
them: the one reader the cross-check scripts share."""

import json
import os
import subprocess
import sys


class CheckError(Exception):
    pass


def dump_rows(build, gen):
    """One dict per descriptor of generation gen; CheckError if unusable."""
    exe = os.path.join(build, "gpu-audit")
    try:
        out = subprocess.run([exe, "--dump-table", "--gen", str(gen), "--json"],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise CheckError("cannot dump gen%d table with %s: %s" % (gen, exe, e))
    rows = []
    for n, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise CheckError("gen%d --dump-table line %d: %s: %r" % (gen, n, e, line[:120]))
    if not rows:
        raise CheckError("gen%d --dump-table printed no commands" % gen)
    return rows


def load_exceptions(path, mine, kind_ok):
    """The lines of exceptions.txt (GEN KIND NAME REASON) whose KIND mine()
    accepts; kind_ok(KIND) tells a well-formed one.  Returns (exceptions,
    malformed-line messages)."""
    excs, bad = [], []
    if not os.path.exists(path):
        return excs, bad
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            tok = s.split(None, 3)
            if len(tok) < 2 or not mine(tok[1]):
                continue
            if len(tok) != 4 or tok[0] not in ("8", "9", "*") or not kind_ok(tok[1]):
                bad.append("%s:%d: malformed exception (GEN KIND NAME REASON): %s" % (path, n, s))
                continue
            excs.append({"line": n, "gen": tok[0], "kind": tok[1], "name": tok[2],
                         "reason": tok[3], "used": 0})
    return excs, bad


def exceptions_cli(argv, prog):
    """Command line of a checker that takes exceptions:
    BUILD [--exceptions=FILE] [--verbose].  Returns (build, exceptions path,
    verbose), or None after printing the usage."""
    args = [a for a in argv[1:] if not a.startswith("--")]
    exc_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exceptions.txt")
    for a in argv[1:]:
        if a.startswith("--exceptions="):
            exc_path = a.split("=", 1)[1]
    if len(args) != 1:
        print("usage: %s BUILD [--exceptions=FILE] [--verbose]" % prog, file=sys.stderr)
        return None
    return args[0], exc_path, "--verbose" in argv


def stale_exceptions(excs):
    """A FAIL line for every exception that accepted no disagreement."""
    return ["FAIL stale exception exceptions.txt:%d: %s %s %s (accepts no disagreement)"
            % (e["line"], e["gen"], e["kind"], e["name"]) for e in excs if not e["used"]]
