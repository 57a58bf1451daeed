"""`linkcamp prospects import`: a CSV of prospects into a campaign, the operator's way in
for lists too long for one API call."""
import os
import pty
import subprocess
import uuid

from conftest import BIN, CONFIG, Tenant, sql

CRM = "/v1/link-building/crm/relationship"


def run_import(ws, cid, text, tty=False):
    """Runs the import with text on stdin; (exit code, stdout, stderr). With tty, stderr is
    a terminal (a pseudo-terminal this test reads)."""
    cmd = [os.path.join(BIN, "linkcamp"), "-c", CONFIG, "prospects", "import", ws, cid]
    data = text.encode() if isinstance(text, str) else text
    if not tty:
        p = subprocess.run(cmd, input=data, capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    leader, follower = pty.openpty()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    out, _ = p.communicate(data, timeout=120)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    return p.returncode, out.decode(), err.decode(errors="replace")


def rel_count(cid):
    return int(sql(f"SELECT COUNT(*) FROM relationships r JOIN campaigns c ON c.id = r.campaign_id "
                   f"WHERE c.public_id = '{cid}'")[0][0])


def test_a_csv_goes_in_with_quotes_bom_crlf_and_duplicates_skipped():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    cid = t.campaign(prospects=[{"domain": "old.example", "contactName": "Old Timer",
                                 "contactEmail": f"old-{tag}@old.example"}])
    text = ("\ufeffEmail,Domain,Contact Name,notes\r\n"
            f"ann-{tag}@a.example,a.example,\"Ann, Jr.\",\"likes \"\"guides\"\"\"\r\n"
            f"bo-{tag}@b.example,b.example,Bo Li,\r\n"
            "\r\n"
            f"old-{tag}@old.example,old.example,Old Timer,already there\r\n"
            f"bo-{tag}@b.example,b.example,Bo Li,twice in the file\r\n"
            f"cy-{tag}@c.example,c.example,,no name")
    # "Contact Name" is not a column the import knows: it is ignored like "notes"
    rc, out, err = run_import(t.ws, cid, text.replace("Contact Name", "contactName"))
    assert rc == 0, err
    assert out == "added 3, skipped 2\n"
    assert err == ""  # no progress bar when stderr is not a terminal
    rels = t.api.get(CRM, query=f"campaignId={cid}&limit=50").json()["data"]
    by_email = {r["contactEmail"]: r for r in rels}
    assert by_email[f"ann-{tag}@a.example"]["contactName"] == "Ann, Jr."
    assert by_email[f"bo-{tag}@b.example"]["domain"] == "b.example"
    assert f"cy-{tag}@c.example" in by_email
    assert len(rels) == 4
    # each new prospect got its draft, waiting for approval like the API's
    drafts = t.api.get("/v1/approvals", query=f"campaignId={cid}&limit=50").json()["data"]
    assert len(drafts) == 4


def test_one_bad_row_imports_nothing_and_names_its_line():
    t = Tenant()
    cid = t.campaign()
    text = "domain,contactEmail\na.example,a@a.example\nb.example,not-an-email\n"
    rc, out, err = run_import(t.ws, cid, text)
    assert rc == 65 and "line 3" in err and "contactEmail" in err, err
    assert rel_count(cid) == 0
    for bad, why in [("contactEmail\na@a.example\n", "domain and contactEmail"),
                     ("", "empty"),
                     ("domain,email,Email\n", "twice"),
                     ("domain,contactEmail\na.example,\"open\n", "malformed"),
                     (b"domain,contactEmail\na.example,\xff@a.example\n", "UTF-8")]:
        rc, out, err = run_import(t.ws, cid, bad)
        assert rc == 65 and why in err, (bad, err)
    assert rel_count(cid) == 0
    rc, out, err = run_import("ws_AAAAAAAAAAAAAAAAAAAAAA", cid, "domain,contactEmail\na.example,a@a.example\n")
    assert rc == 65, err
    rc, out, err = run_import(t.ws, "scmp_AAAAAAAAAAAAAAAAAAAAAA", "domain,contactEmail\na.example,a@a.example\n")
    assert rc == 65 and "campaign_not_found" in err, err


def test_a_long_list_goes_in_by_batches_with_a_progress_bar_and_can_be_run_again():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    cid = t.campaign(template={"subject": "", "body": ""})  # no drafts: no credits needed
    text = "domain,contactName,contactEmail\n" + "".join(
        f"d{i}.example,P {i},p{i}-{tag}@d{i}.example\n" for i in range(1200))
    rc, out, err = run_import(t.ws, cid, text, tty=True)
    assert rc == 0, err
    assert out == "added 1200, skipped 0\n"
    assert "importing [" in err and "1200 / 1200" in err and "500 / 1200" in err, err
    assert rel_count(cid) == 1200
    rc, out, err = run_import(t.ws, cid, text)
    assert rc == 0 and out == "added 0, skipped 1200\n", (out, err)
    assert rel_count(cid) == 1200


def test_running_out_of_credits_stops_between_batches_and_says_how_far_it_got():
    t = Tenant()  # 1,000 credits: 500 drafts of 2
    tag = uuid.uuid4().hex[:6]
    cid = t.campaign()
    text = "domain,contactEmail\n" + "".join(f"d{i}.example,q{i}-{tag}@d{i}.example\n" for i in range(700))
    rc, out, err = run_import(t.ws, cid, text)
    assert rc == 65, err
    assert "stopped after 500 of 700 rows" in err and "insufficient_credits" in err, err
    assert out == "added 500, skipped 0\n"
    assert rel_count(cid) == 500
