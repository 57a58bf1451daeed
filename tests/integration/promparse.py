"""A strict parser of Prometheus's text exposition format 0.0.4, for the metrics tests.

It refuses what Prometheus would refuse or silently misread: a sample before its family's
# TYPE, a family declared twice or split in two, bad names, bad label escapes, duplicate
series, a value that is not a float, a histogram whose buckets are not cumulative or do not
end at +Inf with _count equal to it, a negative counter, a missing final newline."""
import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ExpositionError(AssertionError):
    pass


def _value(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)", text):
        raise ExpositionError(f"{where}: {text!r} is not a float")
    return float(text)


def _labels(text, where):
    """Parses `a="x",b="y"` (text between the braces); returns a tuple of (name, value)."""
    out, i = [], 0
    while i < len(text):
        m = LABEL.match(text, i)
        if not m:
            raise ExpositionError(f"{where}: bad label name at {text[i:]!r}")
        name, i = m.group(0), m.end()
        if text[i:i + 2] != '="':
            raise ExpositionError(f"{where}: label {name} has no quoted value")
        i += 2
        val = []
        while True:
            if i >= len(text):
                raise ExpositionError(f"{where}: unterminated value of {name}")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ExpositionError(f"{where}: bad escape \\{nxt} in {name}")
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ExpositionError(f"{where}: newline inside {name}")
            else:
                val.append(c)
                i += 1
        if any(n == name for n, _ in out):
            raise ExpositionError(f"{where}: label {name} twice")
        out.append((name, "".join(val)))
        if i < len(text):
            if text[i] != ",":
                raise ExpositionError(f"{where}: expected ',' after {name}")
            i += 1
    return tuple(out)


def _family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def parse(text):
    """Returns {family: {"type": t, "help": h, "samples": {(name, labels): value}}}."""
    if not text.endswith("\n"):
        raise ExpositionError("the exposition does not end with a newline")
    families, types, done, current = {}, {}, set(), None
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {n}"
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                fam = parts[2]
                if not NAME.fullmatch(fam):
                    raise ExpositionError(f"{where}: bad metric name {fam!r}")
                f = families.setdefault(fam, {"type": None, "help": None, "samples": {}})
                if fam in done:
                    raise ExpositionError(f"{where}: family {fam} split in two")
                if current not in (None, fam):
                    done.add(current)
                current = fam
                if parts[1] == "TYPE":
                    if f["type"] is not None or f["samples"]:
                        raise ExpositionError(f"{where}: TYPE of {fam} twice or after its samples")
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ExpositionError(f"{where}: bad type line {line!r}")
                    f["type"] = types[fam] = parts[3]
                else:
                    if f["help"] is not None:
                        raise ExpositionError(f"{where}: HELP of {fam} twice")
                    f["help"] = parts[3] if len(parts) == 4 else ""
            continue
        m = NAME.match(line)
        if not m:
            raise ExpositionError(f"{where}: bad sample {line!r}")
        name, rest = m.group(0), line[m.end():]
        labels = ()
        if rest.startswith("{"):
            close = rest.rfind("}")
            if close < 0:
                raise ExpositionError(f"{where}: unterminated labels")
            labels = _labels(rest[1:close], where)
            rest = rest[close + 1:]
        fields = rest.split(" ")
        if not fields or fields[0] != "" or len(fields) not in (2, 3):
            raise ExpositionError(f"{where}: expected one space, a value, an optional timestamp")
        value = _value(fields[1], where)
        if len(fields) == 3 and not re.fullmatch(r"-?\d+", fields[2]):
            raise ExpositionError(f"{where}: bad timestamp {fields[2]!r}")
        fam = _family_of(name, types)
        if fam in done:
            raise ExpositionError(f"{where}: family {fam} split in two")
        if current not in (None, fam):
            done.add(current)
        current = fam
        f = families.setdefault(fam, {"type": None, "help": None, "samples": {}})
        key = (name, labels)
        if key in f["samples"]:
            raise ExpositionError(f"{where}: duplicate series {name}{dict(labels)}")
        if f["type"] == "counter" and not value >= 0:
            raise ExpositionError(f"{where}: counter {name} is {value}")
        f["samples"][key] = value
    for fam, f in families.items():
        if f["type"] == "histogram":
            _check_histogram(fam, f["samples"])
    return families


def _check_histogram(fam, samples):
    groups = {}
    for (name, labels), v in samples.items():
        base = tuple(x for x in labels if x[0] != "le")
        g = groups.setdefault(base, {"buckets": [], "sum": None, "count": None})
        if name == fam + "_bucket":
            le = dict(labels).get("le")
            if le is None:
                raise ExpositionError(f"{fam}: a bucket without le")
            g["buckets"].append((_value(le, fam), v))
        elif name == fam + "_sum":
            g["sum"] = v
        elif name == fam + "_count":
            g["count"] = v
        else:
            raise ExpositionError(f"{fam}: stray series {name}")
    for base, g in groups.items():
        b = sorted(g["buckets"])
        if not b or b[-1][0] != math.inf:
            raise ExpositionError(f"{fam}{dict(base)}: no +Inf bucket")
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            raise ExpositionError(f"{fam}{dict(base)}: buckets are not cumulative")
        if g["count"] != b[-1][1] or g["sum"] is None:
            raise ExpositionError(f"{fam}{dict(base)}: _count {g['count']} is not the +Inf bucket")


def value(families, name, **labels):
    """The value of one series (0 when absent, as for a counter never incremented)."""
    fam = _family_of(name, {k: f["type"] for k, f in families.items()})
    want = set(labels.items())
    for (n, lbl), v in families.get(fam, {"samples": {}})["samples"].items():
        if n == name and set(lbl) == want:
            return v
    return 0
