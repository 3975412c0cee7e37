#!/usr/bin/env bash
# boot.sh VERSION WORK: boots the installed kernel VERSION under qemu (TCG: a nested KVM
# guest hangs right after the BIOS on the machines this was written on) with the host's
# root shared read-only and WORK shared writable, and lets guest.sh run the tests listed
# in WORK/config. The console goes to WORK/console.log. Exits 0 when the guest ran to its
# end (WORK/done), 1 when the run broke: no boot, a crash, or the overall deadline.
# SMP= sets the guest's CPUs (1): 6.12 under two TCG vCPUs panics on an int3 while
# tracepoints are switched on (docs/kernels.md). TCG_THREAD=single|multi chooses qemu's TCG
# threading (its default with more than one vCPU is multi: a host thread per vCPU).
set -euo pipefail
version=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../.." && pwd)	# the checkout: shared on its own, as it may be under /tmp
# shellcheck source=/dev/null
. "$work/config"

"$here/initramfs.sh" "$version" "$work/initramfs.gz"
ntests=$(wc -w <<<"$TESTS")
# Booting takes about 25 s under TCG; each test has TEST_TIMEOUT plus guest.sh's grace.
deadline=$((BOOT_TIMEOUT + ntests * (TEST_TIMEOUT + 60)))
date +%s.%N >"$work/qemu-start"
rc=0
timeout -k 10 "$deadline" qemu-system-x86_64 -accel "tcg${TCG_THREAD:+,thread=$TCG_THREAD}" -cpu max -m 2G -smp "${SMP:-1}" \
	-nographic -no-reboot -nic none \
	-kernel "/boot/vmlinuz-$version" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 panic=-1 ltk.work=$work ltk.tree=$tree ltk.guest=$here/guest.sh" \
	-virtfs local,path=/,mount_tag=host,readonly=on,multidevs=remap,security_model=none \
	-virtfs local,path="$tree",mount_tag=tree,readonly=on,multidevs=remap,security_model=none \
	-virtfs local,path="$work",mount_tag=work,security_model=none \
	</dev/null >"$work/console.log" 2>&1 || rc=$?
date +%s.%N >"$work/qemu-end"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "boot.sh: $version: the guest did not finish within ${deadline}s" >&2
	exit 1
fi
if [ ! -e "$work/started" ]; then
	echo "boot.sh: $version: the guest never reached the tests (qemu exit $rc); console:" >&2
	tail -n 20 "$work/console.log" >&2
	exit 1
fi
if [ ! -e "$work/done" ]; then
	echo "boot.sh: $version: the guest stopped before the end of its tests; console:" >&2
	tail -n 20 "$work/console.log" >&2
	exit 1
fi
