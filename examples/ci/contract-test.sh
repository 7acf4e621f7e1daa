#!/usr/bin/env bash
# The CI recipe, as one script (the GitHub Actions workflow and the GitLab CI job both run it):
# start callsim in the background with --report, run the client's tests against it, stop callsim
# with SIGTERM (it writes the reports then), and fail the job when the tests failed or — with
# --fail-on violations — when the client broke a vendor's contract.
#
#   CALLSIM        how to run callsim (default: npx callsim)
#   CALLSIM_PORT   its port (default 4010)
#   REPORT_DIR     where the JUnit, Markdown and JSON reports go (default callsim-report)
#   FAIL_ON        violations (default), warnings or never
#   CLIENT_TEST    the client's test command (default: node examples/ci/sample-client.mjs)
set -uo pipefail

CALLSIM=${CALLSIM:-npx callsim}
PORT=${CALLSIM_PORT:-4010}
REPORT_DIR=${REPORT_DIR:-callsim-report}
FAIL_ON=${FAIL_ON:-violations}
CLIENT_TEST=${CLIENT_TEST:-node examples/ci/sample-client.mjs}
BASE=http://127.0.0.1:$PORT

mkdir -p "$REPORT_DIR"
$CALLSIM --port "$PORT" --seed 42 --log-level warn \
  --report "$REPORT_DIR/junit.xml" --report "$REPORT_DIR/summary.md" --report "$REPORT_DIR/report.json" \
  --fail-on "$FAIL_ON" &
CALLSIM_PID=$!

# Ready once /__sim/health answers (specs and fixtures loaded); give up after 30 s.
for _ in $(seq 1 150); do
  curl -fs "$BASE/__sim/health" > /dev/null && break
  kill -0 "$CALLSIM_PID" 2> /dev/null || { echo "callsim did not start" >&2; exit 1; }
  sleep 0.2
done

JAGCALL_BASE_URL="$BASE/jagcall" JAGCALL_API_KEY=jc_test_demo $CLIENT_TEST
TESTS=$?

# SIGTERM: callsim writes the reports (atomically) and exits 1 if the contract was broken.
kill -TERM "$CALLSIM_PID"
wait "$CALLSIM_PID"
CONTRACT=$?

echo "client tests: exit $TESTS; callsim (--fail-on $FAIL_ON): exit $CONTRACT"
[ "$TESTS" -eq 0 ] && [ "$CONTRACT" -eq 0 ]
