#!/usr/bin/python3
"""JUnit XML bookkeeping for `scripts/dev test`: a run is green only when every phase ran,
said so with its exit status, and reported every test it was meant to run.

  junit.py case REPORTS NAME [MESSAGE]
      writes REPORTS/NAME.xml holding one test case; with MESSAGE it is a failure whose
      text is MESSAGE (so a runner problem is counted, and named, like a failed test)
  junit.py phase REPORTS NAME STATUS XML [--expect N] [--failures-status S]
      checks one phase: XML must exist, parse and hold at least one test case (N when
      --expect is given); STATUS must be 0, or S (default 1; "any" for a non-zero status,
      as cmocka exits with its count of failures) when XML records failures.
      Anything else becomes a failing case REPORTS/NAME-runner.xml naming the problem.
  junit.py tally REPORTS
      prints "N passed, N failed" over REPORTS/*.xml; exits 1 on any failure, on any
      skipped test (a skipped test is not a passed one) and when nothing passed.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr


def write_case(reports, name, message=None):
    body = "" if message is None else "<failure message={}>{}</failure>".format(
        quoteattr(message), escape(message))
    with open(os.path.join(reports, name + ".xml"), "w") as f:
        f.write('<testsuite name={0}><testcase classname="runner" name={0}>{1}</testcase>'
                '</testsuite>\n'.format(quoteattr(name), body))


def read_cases(path):
    """(cases, failed, skipped) of one report; raises ValueError when it is unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise ValueError(f"unreadable test report {path}: {e}") from e
    cases = failed = skipped = 0
    for case in root.iter("testcase"):
        cases += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
    return cases, failed, skipped


def phase(reports, name, status, xml, expect=None, failures_status="1"):
    problem = None
    try:
        cases, failed, _ = read_cases(xml)
    except ValueError as e:
        problem = f"{name}: {e} (exit status {status})"
    else:
        if cases == 0:
            problem = f"{name}: its report {xml} holds no test at all (exit status {status})"
        elif expect is not None and cases != expect:
            problem = f"{name}: {expect} tests collected but {cases} reported"
        elif status != 0 and not (failed and failures_status in ("any", str(status))):
            problem = f"{name}: exit status {status} with {failed} failures reported"
        elif status == 0 and failed:
            problem = f"{name}: exit status 0 but {failed} failures reported"
    if problem:
        print(problem, file=sys.stderr)
        write_case(reports, name + "-runner", problem)
        return 1
    return 0


def tally(reports):
    passed = failed = skipped = 0
    for path in sorted(glob.glob(os.path.join(reports, "*.xml"))):
        try:
            cases, f, s = read_cases(path)
        except ValueError as e:
            print(e, file=sys.stderr)
            failed += 1
            continue
        passed += cases - f - s
        failed += f
        skipped += s
        if s:
            print(f"{path}: {s} skipped", file=sys.stderr)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or skipped or passed == 0 else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "case":
        write_case(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
        return 0
    if len(argv) >= 5 and argv[0] == "phase":
        reports, name, status, xml = argv[1], argv[2], int(argv[3]), argv[4]
        rest = argv[5:]
        opts = dict(zip(rest[::2], rest[1::2]))
        if len(rest) % 2 or set(opts) - {"--expect", "--failures-status"}:
            print("junit.py phase: bad options " + " ".join(rest), file=sys.stderr)
            return 64
        expect = int(opts["--expect"]) if "--expect" in opts else None
        return phase(reports, name, status, xml, expect, opts.get("--failures-status", "1"))
    if len(argv) == 2 and argv[0] == "tally":
        return tally(argv[1])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
