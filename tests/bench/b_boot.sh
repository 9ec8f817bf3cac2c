# Guest boot: seconds from the domain's creation to the agent's hello under
# TCG (the qemu platform), median of 3. Target here: <= 6 s.

bench_boot() {
	local prog times=() t median
	make -s BUILD="${BUILD:=build}" "$BUILD/tests/progs/guestctl" >/dev/null || return 1
	prog=$BUILD/tests/progs/guestctl
	mkdir -p "$VB_TMP/boot"
	for i in 1 2 3; do
		# The tool gives a guest 120 s to say hello; this waits that and a margin.
		timeout --kill-after=10 300 "$prog" qemu "$VB_TMP/boot" --verbose >/dev/null 2>"$VB_TMP/boot.err"
		case $? in
		0) ;;
		77)
			echo "   skipped: $(cat "$VB_TMP/boot.err")"
			return 0
			;;
		*)
			cat "$VB_TMP/boot.err"
			return 1
			;;
		esac
		t=$(sed -n 's/.*the agent said hello \([0-9.]*\) s after the domain.s creation.*/\1/p' "$VB_TMP/boot.err")
		[ -n "$t" ] || { cat "$VB_TMP/boot.err"; return 1; }
		times+=("$t")
	done
	median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
	echo "   qemu (TCG) create -> hello: ${times[*]} s; median $median s (target <= 6 s: $(
		awk -v m="$median" 'BEGIN { print (m <= 6 ? "met" : "missed") }'))"
}
