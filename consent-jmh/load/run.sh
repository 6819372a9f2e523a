#!/usr/bin/env bash
# Load test of the demo site's 50 KB article (/artikel) under wrk, on loopback: with and without
# the consent filter, with and without a consent cookie. Prints a markdown table of requests per
# second, p50/p99 latency and errors (which must be 0), and the server's heap after a full GC at its
# start, after the warm-up and at its end (growth beyond the bounded caches would be a leak).
#
#   consent-jmh/load/run.sh                  # 4 runs of 60 s, as the issue asks
#   DURATION=5s WARMUP=3s consent-jmh/load/run.sh   # a quick check that it works
#
# Environment: DURATION (per run, default 60s), WARMUP (per server, cookie and phase, default 15s),
# CONNECTIONS (64), THREADS (wrk's, 2), PORT (8080), SERVER_OPTS (the server JVM's options),
# OUT (where logs and results.md go, default consent-jmh/target/load).
#
# Each server is its own JVM (DemoSite, from the consent-servlet test classpath), first with the
# filter, then with --no-filter. The consent cookie is a real one: the filtered server's endpoint
# sets it after an accept-all POST. wrk and the server share the machine's cores, so the figures
# are of the whole machine, not of the server alone.
set -euo pipefail

DURATION=${DURATION:-60s}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-8080}
SERVER_OPTS=${SERVER_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/consent-jmh/target/load}
BASE="http://127.0.0.1:$PORT"
PAGE="$BASE/artikel"

SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

fail() {
    echo "run.sh: $*" >&2
    exit 1
}

# ---- tools and build ------------------------------------------------------------------------

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)" >&2
    sudo=
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
for tool in java jcmd jstat curl mvn; do
    command -v "$tool" >/dev/null || fail "needs $tool"
done

cd "$ROOT"
DEMO_CLASS=consent-servlet/target/test-classes/nl/i3groep/consent/demo/DemoSite.class
if [[ ! -f $DEMO_CLASS ]] || [[ -n $(find pom.xml consent-core/pom.xml consent-core/src consent-servlet/pom.xml \
        consent-servlet/src -newer "$DEMO_CLASS" -type f -print -quit) ]]; then
    echo "building (mvn -B -q install -DskipTests)" >&2
    mvn -B -q install -DskipTests
fi

rm -rf "$OUT"
mkdir -p "$OUT"
# the demo runs from the test classpath (Jetty is a test dependency); consent-core comes from the
# local repository, which the install above keeps current
mvn -B -q -f consent-servlet org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="consent-servlet/target/test-classes:consent-servlet/target/classes:$(cat "$OUT/classpath.txt")"

# ---- the server -----------------------------------------------------------------------------

# starts DemoSite with the given arguments and returns once it answers
start_server() {
    local label=$1
    shift
    if curl -s -o /dev/null --max-time 2 "$BASE/"; then
        fail "something already listens on port $PORT (set PORT=…)"
    fi
    # shellcheck disable=SC2086 # SERVER_OPTS is a list of options
    java $SERVER_OPTS -cp "$CP" nl.i3groep.consent.demo.DemoSite "$PORT" "$@" >"$OUT/server-$label.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 60))
    # poll until the site answers 200; the interval is only how often to ask
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/" || true) == 200 ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || fail "the server ($label) exited; see $OUT/server-$label.log"
        ((SECONDS < deadline)) || fail "the server ($label) did not answer within 60 s"
        sleep 0.2
    done
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# heap in use after a full GC, in MB (jstat: survivors, eden and old generation, in KB)
heap_mb() {
    jcmd "$SERVER_PID" GC.run >/dev/null
    jcmd "$SERVER_PID" GC.heap_info >>"$OUT/heap-$1.txt"
    jstat -gc "$SERVER_PID" | awk '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
        NR == 2 { printf "%.1f", ($col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]) / 1024 }'
}

# ---- one configuration ----------------------------------------------------------------------

# checks once, with curl, that the page is what the row claims: 200, and gated or not
check_page() {
    local label=$1 cookie=$2 expect=$3 body="$OUT/page-$1.html" status
    status=$(curl -s -o "$body" -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} "$PAGE")
    [[ $status == 200 ]] || fail "$label: $PAGE answered $status"
    local banner=no inert=no
    grep -q '<div data-consent-banner' "$body" && banner=yes
    grep -q 'data-consent-src=' "$body" && inert=yes
    case $expect in
        gated) [[ $banner == yes && $inert == yes ]] || fail "$label: the page was not gated (banner $banner, inert pixels $inert)" ;;
        allowed) [[ $banner == no && $inert == no ]] || fail "$label: the page was not allowed (banner $banner, inert pixels $inert)" ;;
    esac
    stat -c %s "$body"
}

# wrk's latency with its unit (us, ms, s) in milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

declare -A ROW
run_wrk() {
    local label=$1 cookie=$2 out="$OUT/wrk-$1.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency ${cookie:+-H "Cookie: $cookie"} "$PAGE" >"$out"
    local rps p50 p99 requests non2xx socket
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    requests=$(awk '/ requests in / { print $1 }' "$out")
    # wrk prints these lines only when there is something to count; it counts statuses of 400 and up
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    socket=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
    ROW[$label]="| $rps | $p50 | $p99 | $requests | ${non2xx:-0} | ${socket:-0} |"
    ERRORS=$((ERRORS + ${non2xx:-0} + ${socket:-0}))
}

# First at a few connections, so that the JIT compiler's threads get a core: under the full load
# they starve on two cores, and a server measured half-compiled runs at a tenth of its speed.
warm_up() {
    local cookie=$1
    wrk -t1 -c4 -d"$WARMUP" "$PAGE" >/dev/null
    wrk -t1 -c4 -d"$WARMUP" -H "Cookie: $cookie" "$PAGE" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$PAGE" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: $cookie" "$PAGE" >/dev/null
}

ERRORS=0
declare -A HEAP SIZE

# the running server $1: its page checked (without a cookie: $2), warmed up, both runs, its heap
measure() {
    local s=$1 none=$2
    SIZE[$s.none]=$(check_page "$s-none" "" "$none")
    SIZE[$s.cookie]=$(check_page "$s-cookie" "$COOKIE" allowed)
    warm_up "$COOKIE"
    HEAP[$s.warm]=$(heap_mb "$s")
    run_wrk "$s-none" ""
    run_wrk "$s-cookie" "$COOKIE"
    HEAP[$s.end]=$(heap_mb "$s")
    stop_server
}

# with the filter first: its endpoint issues the cookie both servers are sent
start_server filter
HEAP[filter.start]=$(heap_mb filter)
curl -s -D "$OUT/consent-headers.txt" -o "$OUT/consent-answer.json" -H 'Content-Type: application/json' \
    -H "Origin: $BASE" --data '{"purposes":{"analytics":true,"marketing":true}}' "$BASE/consent" >/dev/null
COOKIE=$(tr -d '\r' <"$OUT/consent-headers.txt" | sed -n 's/^[Ss]et-[Cc]ookie: \(i3_consent=[^;]*\).*/\1/p' | head -n 1)
[[ -n $COOKIE ]] || fail "POST /consent set no consent cookie; see $OUT/consent-headers.txt"
grep -q '"decided":true' "$OUT/consent-answer.json" || fail "POST /consent did not record a decision"
measure filter gated

start_server bare --no-filter
HEAP[bare.start]=$(heap_mb bare)
measure bare allowed

# ---- the report -----------------------------------------------------------------------------

{
    echo "Load test of \`/artikel\` ($(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -n 1 | cut -d'"' -f2)," \
        "$(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'), \`-t$THREADS -c$CONNECTIONS -d$DURATION\`, server \`$SERVER_OPTS\`):"
    echo
    echo "| filter | consent cookie | page bytes | requests/s | p50 ms | p99 ms | requests | non-2xx | socket errors |"
    echo "|---|---|---|---|---|---|---|---|---|"
    echo "| off | no | ${SIZE[bare.none]} ${ROW[bare-none]}"
    echo "| off | yes | ${SIZE[bare.cookie]} ${ROW[bare-cookie]}"
    echo "| on | no | ${SIZE[filter.none]} ${ROW[filter-none]}"
    echo "| on | yes | ${SIZE[filter.cookie]} ${ROW[filter-cookie]}"
    echo
    echo "Server heap in use after a full GC (MB):"
    echo
    echo "| server | at start | after warm-up | at end | end − warm-up |"
    echo "|---|---|---|---|---|"
    for s in bare filter; do
        growth=$(awk -v a="${HEAP[$s.end]}" -v b="${HEAP[$s.warm]}" 'BEGIN { printf "%+.1f", a - b }')
        echo "| $([[ $s == bare ]] && echo 'without filter' || echo 'with filter') | ${HEAP[$s.start]} | ${HEAP[$s.warm]} | ${HEAP[$s.end]} | $growth |"
    done
} | tee "$OUT/results.md"
echo
echo "logs and wrk output: $OUT" >&2

((ERRORS == 0)) || fail "$ERRORS errors (non-2xx or socket errors): the run does not count"
