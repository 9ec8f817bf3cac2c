#!/usr/bin/env bash
# Makes this machine ready for vbench-trace: installs the Debian packages that
# are missing (quietly when none are), starts the services the platforms need
# (dockerd, libvirtd) when they are not running, and mounts tracefs.
# Idempotent; run by `make run`, `make test` and `make bench`.
#
#   bash platforms/setup.sh            everything
#   bash platforms/setup.sh packages   packages only
set -euo pipefail

say() { echo "vbench-trace setup: $*" >&2; }

BUILD_PKGS="clang llvm libclang-rt-14-dev libxml2-dev libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev libjson-c-dev pkg-config make gcc"
PLATFORM_PKGS="docker.io qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev iproute2 cpio"
# chromium: the integration tests screenshot the HTML report headless.
PEER_PKGS="sysbench fio iperf3 stress-ng bpftrace linux-perf chromium"

need_root() {
	if [ "$(id -u)" != 0 ]; then
		say "$1 needs root (run it as root, or install: $2)"
		exit 1
	fi
}

install_packages() {
	local missing=()
	for p in $BUILD_PKGS $PLATFORM_PKGS $PEER_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "installing packages" "${missing[*]}"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

mount_tracefs() {
	# Classic tracepoints are attached by their id, read from tracefs.
	if [ ! -e /sys/kernel/tracing/events ]; then
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
			say "cannot mount tracefs at /sys/kernel/tracing; tracepoint probes will not attach"
	fi
}

start_dockerd() {
	command -v dockerd >/dev/null || return 0
	docker info >/dev/null 2>&1 && return 0
	say "starting dockerd (log: /var/log/vbench-dockerd.log)"
	nohup dockerd --host unix:///var/run/docker.sock --storage-driver overlay2 \
		>/var/log/vbench-dockerd.log 2>&1 &
	for _ in $(seq 1 60); do
		docker info >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	say "dockerd did not come up in 30 s; see /var/log/vbench-dockerd.log"
}

start_libvirtd() {
	command -v libvirtd >/dev/null || return 0
	virsh -c qemu:///system version >/dev/null 2>&1 && return 0
	# libvirtd refuses to start without its QEMU user and its log directory.
	getent group kvm >/dev/null || groupadd -r kvm
	getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
	getent passwd libvirt-qemu >/dev/null ||
		useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
	mkdir -p /var/log/libvirt /var/lib/libvirt /run/libvirt
	say "starting libvirtd (log: /var/log/vbench-libvirtd.log)"
	libvirtd -d >/var/log/vbench-libvirtd.log 2>&1 || true
	for _ in $(seq 1 60); do
		virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	say "libvirtd did not come up in 30 s; see /var/log/vbench-libvirtd.log"
}

# xz-utils: the guest kernel is unpacked from Debian's xz bzImage once, for a faster TCG boot.
PLATFORM_PKGS="$PLATFORM_PKGS xz-utils"

kvm_group() {
	# What Debian's udev rule does where udev does not run: QEMU runs as
	# libvirt-qemu (in group kvm) and must open /dev/kvm. Until it can,
	# libvirt finds KVM "gone" at every call and probes QEMU again (seconds each).
	# Runs after start_libvirtd, and makes the group and the membership itself,
	# so one run on a fresh machine is enough; running it again changes nothing.
	[ -c /dev/kvm ] || return 0
	getent group kvm >/dev/null || groupadd -r kvm
	if getent passwd libvirt-qemu >/dev/null && ! id -nG libvirt-qemu | grep -qw kvm; then
		usermod -a -G kvm libvirt-qemu
	fi
	[ "$(stat -c %G:%a /dev/kvm)" = kvm:660 ] && return 0
	say "giving /dev/kvm to group kvm (mode 660) so QEMU's user can open it"
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
}

start_virtlogd() {
	command -v virtlogd >/dev/null || return 0
	[ -S /run/libvirt/virtlogd-sock ] && pgrep -x virtlogd >/dev/null && return 0
	# libvirtd hands each QEMU's output to virtlogd; without systemd nothing starts it,
	# and no domain starts without it.
	say "starting virtlogd"
	mkdir -p /run/libvirt /var/log/libvirt
	virtlogd -d || say "virtlogd did not start; libvirt domains will not start"
}

install_packages
[ "${1:-all}" = packages ] && exit 0
if [ "$(id -u)" = 0 ]; then
	mount_tracefs
	start_dockerd
	# libvirtd's users and groups first: kvm_group needs QEMU's user to exist.
	start_libvirtd
	kvm_group
	start_virtlogd
fi
