#!/bin/sh
# Lists each table with the modules whose SQL writes it (INSERT/UPDATE/DELETE); one module per table is the house rule.
cd "$(dirname "$0")/.." && grep -rnoE "(INSERT INTO|UPDATE|DELETE FROM) [a-z_]+" --include=*.ts api activities db/queries providers workers workflows scripts \
  | sed -E 's/^([^:]+):[0-9]+:(INSERT INTO|UPDATE|DELETE FROM) /\1 /' | awk '{print $2" "$1}' | sort -u \
  | awk '{w[$1]=w[$1] (w[$1] ? ", " : "") $2; n[$1]++} END {for (t in w) printf "%-22s %s%s\n", t, w[t], (n[t] > 1 ? "   <- more than one writer" : "")}' | sort
