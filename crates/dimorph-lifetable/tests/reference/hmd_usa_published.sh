#!/bin/sh
# Extracts the HMD's published USA tables that tests/hmd_total_abridged.rs compares with.
# Usage: hmd_usa_published.sh STATS_DIR   (an HMD USA folder of the same vintage as
# data/hmd/USA: "Last modified: 17 Mar 2021; Methods Protocol: v6 (2017)"; the copy used is
# GitHub jkirkpatrickmath/DataMining4502, commit 90cabefe, USA/STATS/, as for data/hmd/USA)
# Human Mortality Database, University of California, Berkeley (USA), and Max Planck Institute
# for Demographic Research (Germany), www.mortality.org; CC BY 4.0; values unmodified.
# Writes, beside this script:
#   hmd_usa_bltper_1x1.csv  both-sex period tables (bltper_1x1) of the years listed below
#   hmd_usa_5x1_2010.csv    the 2010 abridged tables (fltper/mltper/bltper_5x1), age labels as HMD
#   hmd_usa_5x1/USA.{Deaths,Exposures}_5x1.txt  the title, header and 2010 rows of the 5x1 input
set -eu
src=$1
here=$(dirname "$0")
years="1933 1940 1950 1952 1960 1970 1980 1990 2000 2010 2019"
{
  echo "year,age,mx,qx,ax,lx,dx,Lx,Tx,ex"
  for y in $years; do
    awk -v y="$y" 'NR > 3 && $1 == y { a = $2; sub(/\+$/, "", a); print $1 "," a "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10 }' "$src/bltper_1x1.txt"
  done
} > "$here/hmd_usa_bltper_1x1.csv"
{
  echo "sex,age,mx,qx,ax,lx,dx,Lx,Tx,ex"
  for s in female:fltper male:mltper total:bltper; do
    awk -v s="${s%%:*}" 'NR > 3 && $1 == 2010 { print s "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10 }' "$src/${s#*:}_5x1.txt"
  done
} > "$here/hmd_usa_5x1_2010.csv"
for f in Deaths Exposures; do
  { head -n 3 "$src/${f}_5x1.txt"; awk 'NR > 3 && $1 == 2010' "$src/${f}_5x1.txt"; } > "$here/hmd_usa_5x1/USA.${f}_5x1.txt"
done
