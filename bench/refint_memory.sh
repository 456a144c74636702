#!/bin/sh
# Peak RSS of reading a grouped file for refint (issue 15, item 7): 10,000,000 rows of
# Sex (f/m, text), Ward (text), ALT (one decimal). Compares the Frame path (one String per text
# cell, labels cloned: what refint did before) with the dictionary-encoded reader (read_coded:
# what refint does now), and measures the CLI end to end. Usage (from the repo root):
#   sh bench/refint_memory.sh [rows]
set -e
N=${1:-10000000}
F=${TMPDIR:-/tmp}/refint_memory_$N.csv
if [ ! -f "$F" ]; then
  awk -v n="$N" 'BEGIN { srand(15); print "Sex,Ward,ALT";
    for (i = 0; i < n; i++) printf "%s,%s,%.1f\n", (i % 2 ? "m" : "f"), (i % 5 ? "ward" : "ICU"), exp(log(22) + 0.35 * (rand() + rand() + rand() - 1.5) * 2) }' > "$F"
fi
ls -l "$F"
# PROFILE=release for timings; peak memory is the same in the (quicker to build) debug profile
PROFILE=${PROFILE:-debug}
if [ "$PROFILE" = release ]; then R=--release; else R=; fi
cargo build -q $R -p dimorph-data --example group_memory
cargo build -q $R -p dimorph --no-default-features
EX=target/$PROFILE/examples/group_memory
for mode in frame coded; do
  /usr/bin/time -v "$EX" "$mode" "$F" ALT Sex 2> /tmp/refint_memory_$mode.txt > /dev/null
  echo "$mode: $(grep 'Maximum resident' /tmp/refint_memory_$mode.txt) $(grep 'Elapsed' /tmp/refint_memory_$mode.txt)"
done
/usr/bin/time -v target/$PROFILE/dimorph refint estimate --data "$F" --value ALT --by Sex --method direct > /dev/null 2> /tmp/refint_memory_cli.txt
echo "dimorph refint estimate --by Sex --method direct: $(grep 'Maximum resident' /tmp/refint_memory_cli.txt) $(grep 'Elapsed' /tmp/refint_memory_cli.txt)"
