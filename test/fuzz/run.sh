#!/bin/bash
# run.sh SECONDS HARNESS... - runs each libFuzzer harness for SECONDS seconds.
#
# For each harness h (built as build/h by the Makefile) it prepares a fresh
# corpus in work/h/corpus from the committed seeds (seeds/h/*) and, for the
# format probes (fuzz_probe*), the shared media corpus (files up to 1 MB; for
# the decoders (fuzz_dec_*), the corpus's files of their format),
# runs libFuzzer on it with its log in work/h.log, and prints one TAP line:
#   ok N - fuzz h: E executions, 0 findings
#   not ok N - fuzz h: crash, see work/artifacts/h-crash-...
# then the plan "1..N".  Exits non-zero when any harness failed.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS HARNESS..." >&2
	exit 2
fi
seconds=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2

# The shared corpus lives next to the repository: <repo>/../shared/corpus.
top=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))
shared="$top/../shared/corpus"

mkdir -p work/artifacts
n=0
failed=0

for h in "$@"; do
	n=$((n + 1))
	corpus="work/$h/corpus"
	log="work/$h.log"
	rm -rf "work/$h"
	mkdir -p "$corpus"

	if [ -d "seeds/$h" ]; then
		find "seeds/$h" -maxdepth 1 -type f -exec cp {} "$corpus/" \;
	fi
	# a single-parser harness starts from the hand-made files of every format
	if [[ "$h" == fuzz_parser_* ]]; then
		find seeds/fuzz_probe seeds/fuzz_probe_av -maxdepth 1 -type f -exec cp {} "$corpus/" \; 2>/dev/null
	fi
	# a single-decoder harness (and fuzz_poster) starts from the unit tests' files of its formats
	# and the shared corpus's files of those types (MANIFEST.tsv's third column),
	# less libjxl's own oss-fuzz reproducers: some run over 10 s inside libjxl
	# under ASan, which libFuzzer reports as a slow unit every time
	case "$h" in
		fuzz_dec_heif) exts="heic avif"; types="heic heif avif" ;;
		fuzz_dec_jxl) exts="jxl"; types="jxl" ;;
		fuzz_poster) exts="mp4 mov mkv webm m4a"; types="mp4 mov mkv webm 3gp" ;;
		*) exts=""; types="" ;;
	esac
	for e in $exts; do
		find ../unit/data -maxdepth 1 -name "*.$e" -exec cp {} "$corpus/" \;
	done
	if [ -n "$types" ] && [ -f "$shared/MANIFEST.tsv" ]; then
		for t in $types; do
			awk -F'\t' -v t="$t" '$3 == t && $1 !~ /oss-fuzz\// { print $1 }' "$shared/MANIFEST.tsv"
		done | while IFS= read -r f; do
			[ -f "$shared/$f" ] && cp "$shared/$f" "$corpus/shared__$(printf '%s' "$f" | tr '/' '_')"
		done
	fi
	if [[ "$h" == fuzz_probe* ]] && [ -d "$shared" ]; then
		# flatten the tree: a/b/c.png -> shared__a__b__c.png; skip > 1 MB
		(cd "$shared" && find . -type f -size -1048577c -print0) |
			while IFS= read -r -d '' f; do
				name="shared__$(printf '%s' "${f#./}" | tr '/' '_')"
				cp "$shared/$f" "$corpus/$name"
			done
	fi

	# a single-decoder harness also starts from the shared corpus's files of its format
	# (fuzz_dec_webp: *.webp, fuzz_dec_tiff: *.tif and *.tiff)
	if [[ "$h" == fuzz_dec_* ]] && [ -d "$shared" ]; then
		case "$h" in
			fuzz_dec_tiff) pattern='*.tif*' ;;
			*) pattern="*.${h#fuzz_dec_}" ;;
		esac
		find "$shared" -type f -size -1048577c -iname "$pattern" -print0 |
			while IFS= read -r -d '' f; do
				cp "$f" "$corpus/shared__$(basename "$f")"
			done
	fi

	if [ ! -x "build/$h" ]; then
		echo "not ok $n - fuzz $h: not built (build/$h missing)"
		failed=1
		continue
	fi

	rm -f work/artifacts/"$h"-*
	"build/$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="work/artifacts/$h-" "$corpus" 2>"$log" >/dev/null
	rc=$?

	# executions: "Done N runs in S second(s)", else the last "#N" status line
	execs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
	fi
	artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$artifact" ]; then
		artifact=$(ls work/artifacts/"$h"-* 2>/dev/null | head -n 1)
	fi

	if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
		echo "ok $n - fuzz $h: ${execs:-0} executions, 0 findings"
	else
		failed=1
		if [ -n "$artifact" ]; then
			echo "not ok $n - fuzz $h: crash, see $artifact"
		else
			echo "not ok $n - fuzz $h: libFuzzer exited with status $rc, see $log"
		fi
	fi
done

echo "1..$n"
exit $failed
