# SPDX-License-Identifier: GPL-2.0-only
"""Our generated command tables, as `gpu-audit --dump-table --json` prints
them: the one reader the cross-check scripts share."""

import json
import os
import subprocess


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
