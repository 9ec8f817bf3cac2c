# make install / make uninstall into a staging DESTDIR: the installed tool
# runs from / and finds its agent, the man page renders, the bash completion
# completes, and uninstall leaves nothing behind.

# The staging tree, with PREFIX=/usr; removed when the test ends.
install_stage() {
	INST=$(mktemp -d "$VB_TMP/install.XXXXXX")
	on_exit "rm -rf '$INST'"
	run_deadline 600 make --no-print-directory install DESTDIR="$INST" PREFIX=/usr \
		BUILD="$(dirname "$VB")" >"$INST.log" 2>&1 || fail "make install: $(tail -5 "$INST.log")"
}

test_install_runs_from_anywhere() {
	install_stage
	local bin=$INST/usr/bin/vbench-trace out
	[ -L "$bin" ] && [ -x "$bin" ] || fail "$bin is not an executable link"
	[ -x "$INST/usr/lib/vbench-trace/vbench-trace-agent" ] || fail "no agent in usr/lib/vbench-trace"
	# The build tree must not be what the installed tool finds: run from /,
	# where no build/ exists.
	out=$VB_TMP/install-run
	(cd / && run_deadline 60 "$bin" --version) | grep -q '^vbench-trace ' || fail "--version from /"
	(cd / && run_deadline 120 "$bin" doctor --json) >"$out.doctor.json" ||
		fail "doctor from / exited $? (native must work): $(head -c 400 "$out.doctor.json")"
	assert_py "$out.doctor.json" \
		'd["native_ready"] and any(c["name"] == "platform native" and c["ready"] for c in d["checks"])'
	(cd / && run_deadline 60 "$bin" workload cpu --duration 1) >"$out.cpu.json" || fail "workload cpu from /"
	assert_py "$out.cpu.json" 'd["score"] > 0 and d["ops"] > 0'
	# A run on native goes through the agent: the installed one, found beside the tool.
	(cd / && run_deadline 300 "$bin" run -p native -w cpu -r 1 -d 1 --no-trace -o "$out.results") \
		>/dev/null 2>"$out.err" || fail "run -p native from /: $(cat "$out.err")"
	assert_py "$out.results/results.json" \
		'd["platforms"][0]["status"] == "ok" and d["platforms"][0]["workloads"][0]["stats"]["mean"] > 0'
}

test_install_man_page_renders() {
	install_stage
	local page=$INST/usr/share/man/man1/vbench-trace.1 txt=$VB_TMP/man.txt cmd
	[ -f "$page" ] || fail "no man page at $page"
	if command -v man >/dev/null; then
		MANWIDTH=100 run_deadline 60 man --warnings -l "$page" >"$txt" 2>"$txt.err" || fail "man -l: $(cat "$txt.err")"
	else
		run_deadline 60 groff -man -Tutf8 -ww "$page" >"$txt" 2>"$txt.err" || fail "groff: $(cat "$txt.err")"
	fi
	[ ! -s "$txt.err" ] || fail "the page renders with warnings: $(head -5 "$txt.err")"
	# Every command the tool's --help lists has its section, and every long
	# option a command's --help gives is on the page.
	for cmd in $("$VB" --help | awk '$1 == "vbench-trace" && $2 ~ /^[a-z-]+$/ { print $2 }'); do
		grep -qE "^ {0,8}$cmd\$|^ {0,8}$cmd " "$txt" || fail "no section for '$cmd' in the man page"
		for opt in $("$VB" "$cmd" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			grep -q -- "$opt" "$txt" || fail "'$cmd $opt' is not in the man page"
		done
	done
	for w in cpu mem diskrand diskseq fork net; do
		for opt in $("$VB" workload "$w" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			grep -q -- "$opt" "$txt" || fail "'workload $w $opt' is not in the man page"
		done
	done
}

test_install_bash_completion() {
	install_stage
	local comp=$INST/usr/share/bash-completion/completions/vbench-trace
	[ -f "$comp" ] || fail "no completion file at $comp"
	# complete WORDS...: what the completion function offers for the last word.
	cat >"$VB_TMP/complete.sh" <<'SH'
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_vbench_trace vbench-trace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
SH
	complete() { run_deadline 20 bash "$VB_TMP/complete.sh" "$comp" "$@"; }
	local got
	got=$(complete vbench-trace r)
	[ "$got" = "report run " ] || fail "vbench-trace r<TAB> gave '$got', not 'report run'"
	got=$(complete vbench-trace run -p native,d)
	[ "$got" = "native,docker " ] || fail "run -p native,d<TAB> gave '$got'"
	got=$(complete vbench-trace run -w di)
	[ "$got" = "diskrand diskseq " ] || fail "run -w di<TAB> gave '$got'"
	got=$(complete vbench-trace run --no)
	[ "$got" = "--no-breakdown --no-trace " ] || fail "run --no<TAB> gave '$got'"
	got=$(complete vbench-trace workload mem --no)
	[ "$got" = "--no-thp " ] || fail "workload mem --no<TAB> gave '$got'"
	got=$(complete vbench-trace report --format h)
	[ "$got" = "html " ] || fail "report --format h<TAB> gave '$got'"
	# The file registers itself for the command name.
	bash -c "source '$comp'; complete -p vbench-trace" | grep -q -- '-F _vbench_trace' ||
		fail "the completion is not registered for vbench-trace"
}

test_install_uninstall_leaves_nothing() {
	install_stage
	run_deadline 120 make --no-print-directory uninstall DESTDIR="$INST" PREFIX=/usr \
		BUILD="$(dirname "$VB")" >/dev/null || fail "make uninstall"
	local left
	left=$(find "$INST" -type f -o -type l)
	[ -z "$left" ] || fail "uninstall left: $left"
}
