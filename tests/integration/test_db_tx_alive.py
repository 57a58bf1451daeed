"""A transaction the server rolls back under the database layer, between two of its
statements that both succeed, is run again whole and never half-committed (src/db/db_tx.c,
db_tx_alive; issue 18, docs/scaling.md).

On Galera that is a brute-force abort: a replicated write set aborts an open transaction,
and the next statement succeeds outside it. tests/tools/db_txprobe reproduces the same state
on the test stack's one MariaDB, deterministically: a deadlock met inside a stored procedure
whose handler swallows 1213 — InnoDB rolls the lighter transaction (ours) back, the CALL
answers OK with SERVER_STATUS_IN_TRANS clear. The probe runs it in a db_tx and in a request
transaction (the API's), on tables of its own, and reports what committed; this test judges
it. Without the check, the transaction's last INSERT commits on its own ([1, "last"])."""
import json
import os
import subprocess

from conftest import BIN, CONFIG

PROBE = os.path.join(BIN, "tests", "tools", "db_txprobe")


def run_probe():
    p = subprocess.run([PROBE, "-c", CONFIG], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()], p.stderr


def test_a_transaction_rolled_back_under_it_runs_again_whole():
    scenarios, log = run_probe()
    assert [s["scenario"] for s in scenarios] == ["tx", "request"]
    for s in scenarios:
        # the server really rolled the first run back (the procedure's handler met the
        # deadlock once) while the CALL answered OK, and the rival was not the victim
        assert s["rolledBack"] == 1, s
        assert s["rival"] == "ok", s
        # the layer saw it on the CALL's answer and ran the transaction again, once
        assert s["attempts"] == ["retry", "ok"], s
        assert s["result"] == "ok", s
        # what committed is the second run, whole: nothing of the first, not its last INSERT
        assert s["log"] == [[2, "first"], [2, "last"]], s
        # rows 1 and 2 once each (the second run); the rival's 49 rows rolled back
        assert s["rows"] == [[1, 1], [2, 1]], s
    # and it said so in the log, as an operator would see it
    assert log.count("the server rolled the transaction back between two statements") == 2, log
