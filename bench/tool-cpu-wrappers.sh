#!/bin/sh
# CPU per tool for the ingest benches (docs/benchmarks.md): writes wrappers for the converters'
# tools into DIR that run the real tool under /usr/bin/time and append one line per run to LOG:
# "<phase> <tool> <user s> <system s>" (phase = $MURAGAT_BENCH_PHASE, set by bench:ingest-mixed
# to "reference" or "pipeline"). Summarise with: sh bench/tool-cpu-wrappers.sh --sum LOG
# Use:  sh bench/tool-cpu-wrappers.sh DIR LOG && PATH=DIR:$PATH npm run bench:ingest-mixed -- --realworld
set -eu
if [ "${1:-}" = "--sum" ]; then
  awk '$1 ~ /^(reference|pipeline|none)$/ { k = $1 " " $2; n[k]++; cpu[k] += $3 + $4 } END { for (k in n) printf "%-28s %5d runs %8.1f s\n", k, n[k], cpu[k] }' "$2" | sort
  exit 0
fi
dir=$1
log=$2
mkdir -p "$dir"
: > "$log"
for tool in soffice gs pdftotext pdftoppm qpdf; do
  real=$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -vx "$dir" | paste -sd:) command -v "$tool" || true)
  [ -n "$real" ] || continue
  cat > "$dir/$tool" <<WRAP
#!/bin/sh
exec /usr/bin/time -a -o "$log" -f "\${MURAGAT_BENCH_PHASE:-none} $tool %U %S" "$real" "\$@"
WRAP
  chmod +x "$dir/$tool"
done
