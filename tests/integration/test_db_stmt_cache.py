"""A long-lived connection meets more distinct statements than its prepared-statement cache
holds (src/db has about 300, an fcgi thread's connection lives for days): the cache starts
over instead of failing ("statement cache full" was a 500 once a connection had met 128),
and keeps at most its limit prepared on the server, whose max_prepared_stmt_count every
connection of every host shares (src/db/db_internal.h, DB_STMT_LIVE).

tests/tools/db_stmtprobe runs 1,000 distinct statements twice on one connection of the
test stack's MariaDB and reports its session's COM_STMT_PREPARE and COM_STMT_CLOSE."""
import json
import os
import subprocess

from conftest import BIN, CONFIG

PROBE = os.path.join(BIN, "tests", "tools", "db_stmtprobe")
DB_STMT_LIVE = 384  # src/db/db_internal.h


def test_more_statements_than_the_cache_holds_all_answer_within_its_limit():
    p = subprocess.run([PROBE, "-c", CONFIG], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    # every one of the 2,000 statements answered, and answered right
    assert got["statements"] == 2000 and got["answered"] == 2000, got
    # each pass prepared its 1,000 again (the cache started over in between), so the
    # cache really was outgrown; the counters' own two statements add to "prepared"
    assert got["prepared"] >= 2000, got
    # what the connection holds on the server never passes the limit
    assert 0 < got["live"] <= DB_STMT_LIVE, got
