# bash completion for vbench-trace(1): commands, platforms, workloads, options.
# Installed as $(PREFIX)/share/bash-completion/completions/vbench-trace.

_vbench_trace_commands="run report compare doctor workload net-server trace"
_vbench_trace_platforms="native docker kvm qemu all"
_vbench_trace_workloads="cpu mem diskrand diskseq fork net all"

# _vbench_trace_list CUR WORDS: completes the last item of a comma list.
_vbench_trace_list() {
	local cur=$1 words=$2 head=""
	[[ $cur == *,* ]] && head=${cur%,*},
	COMPREPLY=($(compgen -P "$head" -W "$words" -- "${cur##*,}"))
	[ ${#COMPREPLY[@]} -eq 1 ] && compopt -o nospace 2>/dev/null
	return 0
}

_vbench_trace_workload_opts() {
	case $1 in
	cpu) echo "--duration --max-prime --threads --help" ;;
	mem) echo "--duration --block-size --total-size --oper --access --threads --buffer-size --no-thp --help" ;;
	diskrand | diskseq) echo "--duration --file --size --block-size --buffered --overwrite --help" ;;
	fork) echo "--duration --help" ;;
	net) echo "--server --streams --len --duration --timeout --help" ;;
	esac
}

_vbench_trace() {
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$_vbench_trace_commands --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case $cmd in
	run)
		case $prev in
		-p | --platforms) _vbench_trace_list "$cur" "$_vbench_trace_platforms"; return 0 ;;
		-w | --workloads) _vbench_trace_list "$cur" "$_vbench_trace_workloads"; return 0 ;;
		-r | --runs) COMPREPLY=($(compgen -W "auto 1 3 5 10" -- "$cur")); return 0 ;;
		-o | --output | --cache-dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
		--disk-cache)
			COMPREPLY=($(compgen -W "none writeback writethrough directsync unsafe default" -- "$cur"))
			return 0
			;;
		-O | --platform-opt)
			COMPREPLY=($(compgen -W "storage=layer storage=volume disk-cache=none
				thp=host thp=always thp=madvise thp=never net=bridge net=host
				disk-cache=writeback disk-cache=writethrough disk-cache=directsync
				disk-cache=unsafe disk-cache=default libvirt-uri= net=user net=tap net=passt
				vcpus= thp=default thp=always thp=madvise thp=never tcg-threads=default
				tcg-threads=single tcg-threads=multi" -- "$cur"))
			return 0
			;;
		--vary)
			COMPREPLY=($(compgen -W "net=user,tap disk-cache=none,writeback
				storage=layer,volume thp=always,never vcpus=1,2 tcg-threads=single,multi" -- "$cur"))
			return 0
			;;
		-d | --duration | --net-server | --libvirt-uri | --disk-size) return 0 ;;
		esac
		COMPREPLY=($(compgen -W "--platforms --workloads --runs --duration --quick --output --json
			--no-trace --no-breakdown --net-server --platform-opt --vary --docker-volume --libvirt-uri --disk-cache --disk-size
			--buffered --cache-dir --verbose --help" -- "$cur"))
		;;
	report)
		case $prev in
		-f | --format) COMPREPLY=($(compgen -W "text md html json csv" -- "$cur")); return 0 ;;
		-o | --output) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--format --output --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
		fi
		;;
	compare)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--fail-on-regression --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
		fi
		;;
	doctor)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		;;
	workload)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "cpu mem diskrand diskseq fork net --help" -- "$cur"))
			return 0
		fi
		case $prev in
		--oper) COMPREPLY=($(compgen -W "read write" -- "$cur")); return 0 ;;
		--access) COMPREPLY=($(compgen -W "seq rnd" -- "$cur")); return 0 ;;
		--file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
		esac
		COMPREPLY=($(compgen -W "$(_vbench_trace_workload_opts "${COMP_WORDS[2]}")" -- "$cur"))
		;;
	net-server)
		case $prev in -p | --port | -B | --bind | --timeout) return 0 ;; esac
		COMPREPLY=($(compgen -W "--port --bind --one-off --timeout --help" -- "$cur"))
		;;
	trace)
		# After "--", the traced command completes as a command of its own.
		for ((i = 2; i < COMP_CWORD; i++)); do
			if [ "${COMP_WORDS[i]}" = "--" ]; then
				if declare -F _command_offset >/dev/null; then
					_command_offset $((i + 1))
				else
					COMPREPLY=($(compgen -c -- "$cur"))
				fi
				return 0
			fi
		done
		COMPREPLY=($(compgen -W "--kvm --json --no-breakdown --probe-cost --ops --help --" -- "$cur"))
		;;
	esac
	return 0
}

complete -F _vbench_trace vbench-trace
