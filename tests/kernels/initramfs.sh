#!/usr/bin/env bash
# initramfs.sh VERSION OUT: a busybox initramfs for the installed kernel VERSION that loads
# the 9p-over-virtio modules from /lib/modules/VERSION and runs tests/kernels/init.
# Modules the kernel has built in are skipped (modules.builtin); xz-compressed ones
# (Debian's 6.12) are decompressed, since busybox's insmod takes plain ELF only.
set -euo pipefail
version=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$version
# Each needs the ones before it; netfs and fscache are one module on newer kernels.
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	 netfs fscache 9pnet 9pnet_virtio 9p)

[ -d "$moddir" ] || { echo "initramfs.sh: no $moddir (kernel $version not installed)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "initramfs.sh: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

root=$(mktemp -d /tmp/lt-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,newroot,modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod +x "$root/init"

: >"$root/modules/order"
for m in "${MODULES[@]}"; do
	# modules.builtin names files with '-' or '_' as the source has them.
	if grep -qE "/${m//_/[-_]}\.ko$" "$moddir/modules.builtin"; then
		continue
	fi
	ko=$(find "$moddir/kernel" -regextype posix-extended \
		-regex ".*/${m//_/[-_]}\.ko(\.xz|\.zst|\.gz)?" -print -quit)
	if [ -z "$ko" ]; then
		[ "$m" == fscache ] || [ "$m" == netfs ] && continue  # merged or absent: fine
		echo "initramfs.sh: $m is neither built into $version nor in $moddir" >&2
		exit 1
	fi
	case "$ko" in
	*.xz) xz -dc "$ko" >"$root/modules/$m.ko" ;;
	*.zst) zstd -dcq "$ko" >"$root/modules/$m.ko" ;;
	*.gz) gzip -dc "$ko" >"$root/modules/$m.ko" ;;
	*) cp "$ko" "$root/modules/$m.ko" ;;
	esac
	echo "$m" >>"$root/modules/order"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
