# Shared by the integration tests: sourced, not run.
# Each test file defines functions named test_*; run.sh calls them.
VB=${VB:-build/vbench-trace}
AGENT=${AGENT:-build/vbench-trace-agent}

fail() {
	echo "    FAIL: $*" >&2
	return 1
}

# assert_json FILE JQ-LIKE-PYTHON-EXPR: evaluates a Python expression over the
# parsed JSON document bound to `d`; fails when it is false.
assert_py() {
	local file=$1 expr=$2
	python3 - "$file" "$expr" <<'PY' || fail "$expr (in $file)"
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
PY
}
