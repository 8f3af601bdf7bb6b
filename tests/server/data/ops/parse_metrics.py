# Reads a Prometheus text exposition on standard input with
# prometheus_client's own parser (Debian python3-prometheus-client) and prints
# one sample a line: NAME, its labels as k=v joined by "," in sorted order, and
# the value, tab-separated. A text the parser refuses exits 1 with its error.
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            print(f"{sample.name}\t{labels}\t{sample.value!r}")
except Exception as e:  # the parser raises ValueError and others on bad input
    print(f"unparseable exposition: {e}", file=sys.stderr)
    sys.exit(1)
