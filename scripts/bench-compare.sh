#!/usr/bin/env bash
# Compares benchmark figures of the working tree with those of another
# revision, running the two builds of cmd/bench alternately. The machines
# this project is measured on are shared: their speed drifts by a third
# within an hour, so two figures measured apart say nothing, and only runs
# taken side by side, in turns, compare two versions of the code.
#
# Usage: scripts/bench-compare.sh REV REGEXP [PAIRS]
#   REV     the revision to compare with (a commit, a branch, HEAD~3)
#   REGEXP  the benchmarks to run, as bin/bench -only takes it
#   PAIRS   how many runs of each (default 5); the older code goes first
#           in odd pairs and second in even ones
#
# Prints, per figure: the older code's mean, the working tree's mean, their
# ratio, and in how many pairs the working tree's figure was the higher.
# Whether higher is better depends on the figure (changes/s against ms).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
	sed -n '2,16p' "$0" >&2
	exit 2
fi
rev=$1 only=$2 pairs=${3:-5}
tmp=$(mktemp -d)
cleanup() {
	git worktree remove --force "$tmp/old" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach -f "$tmp/old" "$rev" >/dev/null
(cd "$tmp/old" && go build -o "$tmp/oldbin/" ./cmd/bench)
go build -o "$tmp/newbin/" ./cmd/bench

for i in $(seq "$pairs"); do
	order="old new"
	if [ $((i % 2)) -eq 0 ]; then order="new old"; fi
	for side in $order; do
		"$tmp/${side}bin/bench" -only "$only" | sed "s/^/$i $side /"
	done
done | awk '
	NF >= 4 { v[$3, $2, $1] = $4; unit[$3] = $5; if (!($3 in seen)) { seen[$3] = 1; names[++n] = $3 } }
	END {
		printf "%-40s %14s %14s %7s %s\n", "figure", "old mean", "new mean", "new/old", "pairs new higher"
		for (k = 1; k <= n; k++) {
			f = names[k]; so = sn = cnt = up = 0
			for (p = 1; p <= '"$pairs"'; p++) {
				if (((f, "old", p) in v) && ((f, "new", p) in v)) {
					so += v[f, "old", p]; sn += v[f, "new", p]; cnt++
					if (v[f, "new", p] > v[f, "old", p]) up++
				}
			}
			if (cnt == 0) continue
			printf "%-40s %14.4g %14.4g %7.3f %d of %d  (%s)\n", f, so / cnt, sn / cnt, (so ? sn / so : 0), up, cnt, unit[f]
		}
	}'
