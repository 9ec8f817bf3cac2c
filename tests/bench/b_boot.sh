# Guest boot: seconds from the domain's creation to the agent's hello under
# TCG (the qemu platform), median of 3. Target here: <= 6 s.

bench_boot() {
	local prog=$VB_TMP/guestctl objs times=() t median
	# find, not a glob: user/ may hold sub-folders.
	objs=$(find build/obj/user build/obj/platforms -name '*.o' ! -name main.o ! -name agent_main.o)
	# shellcheck disable=SC2086
	cc -g -O2 -std=gnu11 -D_GNU_SOURCE -Iuser -Iplatforms -I/usr/include/json-c -Ibuild/gen \
		-o "$prog" tests/integration/progs/guestctl.c $objs \
		-lbpf -lelf -lz -ljson-c $(pkg-config --libs libvirt) -lm || return 1
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
