#!/usr/bin/env bash
# Builds the AICert base image from Debian's packages: see image/README.md.
#
#   sudo image/build.sh OUTPUT-DIR
#
# Writes into OUTPUT-DIR:
#   disk.raw      GPT disk: ESP (\EFI\BOOT\BOOTX64.EFI = the UKI), erofs root, dm-verity hash tree
#   aicert.efi    the unified kernel image (systemd-stub + .osrel + .cmdline + .linux + .initrd)
#   manifest.txt  what went in: mirror and its Release digest, every package and version, the
#                 kernel package, the runner binary, the tools, the root hash
#   SHA256SUMS    digests of the files above
#
# Environment:
#   AICERT_SNAPSHOT=20250601T000000Z  install from snapshot.debian.org at that time (pins everything)
#   AICERT_MIRROR=URL                 Debian mirror otherwise (default http://deb.debian.org/debian)
#   AICERT_SECURITY_MIRROR=URL        security mirror (default http://deb.debian.org/debian-security)
#   AICERT_RUNNER=PATH                a prebuilt aicert-runner (default: built here with swift)
#   AICERT_DEB_CACHE=DIR              keep downloaded packages there between builds (debootstrap --cache-dir)
#   AICERT_KEEP_WORK=1                keep the work directory (the unpacked root) for inspection
set -euo pipefail

usage() { echo "usage: $0 OUTPUT-DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
[ "$(id -u)" -eq 0 ] || { echo "build.sh: run as root (debootstrap, chroot, loop-free image assembly)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

suite=bookworm
if [ -n "${AICERT_SNAPSHOT:-}" ]; then
    mirror=https://snapshot.debian.org/archive/debian/$AICERT_SNAPSHOT
    security=https://snapshot.debian.org/archive/debian-security/$AICERT_SNAPSHOT
else
    mirror=${AICERT_MIRROR:-http://deb.debian.org/debian}
    security=${AICERT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
fi

# Packages of the root besides minbase (image/packages.txt, one a line, # comments).
packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt" | tr '\n' ',' | sed 's/,$//')

# Fixed identifiers so that the same inputs give the same bytes.
verity_salt=$(printf 'aicert-root' | sha256sum | cut -d' ' -f1)
erofs_uuid=8d2f0f2a-6a0b-4a57-9d0e-2a1c1e0a1c01
disk_uuid=8d2f0f2a-6a0b-4a57-9d0e-2a1c1e0a1c00
esp_uuid=8d2f0f2a-6a0b-4a57-9d0e-2a1c1e0a1c10
root_uuid=8d2f0f2a-6a0b-4a57-9d0e-2a1c1e0a1c11
verity_uuid=8d2f0f2a-6a0b-4a57-9d0e-2a1c1e0a1c12
esp_volume_id=A1CE0001
esp_mib=64

work=$(mktemp -d /var/tmp/aicert-image.XXXXXX)
root=$work/root
cleanup() {
    for mountpoint in "$root/proc" "$root/sys" "$root/dev"; do
        mountpoint -q "$mountpoint" 2>/dev/null && umount -l "$mountpoint"
    done
    if [ "${AICERT_KEEP_WORK:-}" = 1 ]; then
        echo "build.sh: work directory kept at $work" >&2
    else
        # --one-file-system: never into /dev, /proc or /sys should an unmount above have failed.
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT

step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }

export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

step "runner binary"
if [ -n "${AICERT_RUNNER:-}" ]; then
    runner=$AICERT_RUNNER
else
    (cd "$repo" && swift build -c release --static-swift-stdlib --product aicert-runner --scratch-path .build-image)
    runner=$repo/.build-image/release/aicert-runner
fi
[ -x "$runner" ] || { echo "build.sh: no runner binary at $runner" >&2; exit 1; }

step "suite metadata from $mirror"
# The suite's Release file fixes the package set; its date is SOURCE_DATE_EPOCH for every
# timestamp the build writes, so that two builds from one mirror state agree.
curl -fsS "$mirror/dists/$suite/Release" -o "$work/Release"
release_date=$(sed -n 's/^Date: //p' "$work/Release")
SOURCE_DATE_EPOCH=$(date -d "$release_date" +%s)
export SOURCE_DATE_EPOCH

step "debootstrap $suite (minbase + $(echo "$packages" | tr ',' ' ' | wc -w) packages)"
[ -z "${AICERT_DEB_CACHE:-}" ] || mkdir -p "$AICERT_DEB_CACHE"
debootstrap --variant=minbase --include="$packages" --components=main \
    ${AICERT_DEB_CACHE:+--cache-dir="$AICERT_DEB_CACHE"} "$suite" "$root" "$mirror"

step "security and point-release updates"
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
# systemd-resolved made /etc/resolv.conf a link into /run; the build resolves with the host's.
rm -f "$root/etc/resolv.conf"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$@"; }
in_root apt-get -q --error-on=any update
# The Release fetched above was not signature-checked: it must be the one apt just verified.
verified_release=$(ls "$root"/var/lib/apt/lists/*_dists_"${suite}"_InRelease "$root"/var/lib/apt/lists/*_dists_"${suite}"_Release 2>/dev/null | head -n1 || true)
[ -n "$verified_release" ] || { echo "build.sh: apt left no verified Release file for $suite" >&2; exit 1; }
verified_date=$(sed -n 's/^Date: //p' "$verified_release")
if [ "$verified_date" != "$release_date" ]; then
    echo "build.sh: the mirror changed during the build (fetched Release of $release_date, apt verified $verified_date); build again" >&2
    exit 1
fi
in_root apt-get -q -y --no-install-recommends dist-upgrade

step "kernel"
# The kernel package is unpacked, not installed: installing it would pull initramfs-tools and
# build a Debian initrd we do not use. Its modules go into the root for udev to load.
kernel_package=$(in_root apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
[ -n "$kernel_package" ] || { echo "build.sh: cannot resolve linux-image-amd64" >&2; exit 1; }
in_root sh -c 'cd /var/cache/apt/archives && apt-get -q download "$1"' sh "$kernel_package"
kernel_deb=$(ls "$root"/var/cache/apt/archives/"$kernel_package"_*.deb)
kernel_version=$(dpkg-deb -f "$kernel_deb" Version)
kernel_deb_sha256=$(sha256sum "$kernel_deb" | cut -d' ' -f1)
mkdir "$work/kernel"
dpkg-deb -x "$kernel_deb" "$work/kernel"
kver=${kernel_package#linux-image-}
mkdir -p "$root/usr/lib/modules"
cp -a "$work/kernel/lib/modules/$kver" "$root/usr/lib/modules/"
in_root depmod "$kver"

step "configuration"
cp -a "$here/rootfs/." "$root/"
# Stripped: symbols are not needed to run, and the runner measures its own executable.
strip -o "$root/usr/bin/aicert-runner" "$runner"
chmod 0755 "$root/usr/bin/aicert-runner"
# Every shared library the runner links that the root lacks (the Swift runtime of a runner built
# without --static-swift-stdlib, e.g. the tests' debug build) comes from the build host, into
# /usr/lib where the loader looks without a cache; the manifest names each.
ldd "$runner" | awk '$3 ~ /^\// {print $3}' > "$work/runner-libraries.txt"
while read -r library; do
    [ -e "$root$library" ] && continue
    strip -o "$root/usr/lib/$(basename "$library")" "$library"
    echo "runtime library from the build host: $library sha256:$(sha256sum "$root/usr/lib/$(basename "$library")" | cut -d' ' -f1)" \
        >> "$work/runtime.txt"
done < "$work/runner-libraries.txt"
ln -sf /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# No machine identity in the image: systemd makes a transient one at boot (the root is
# read-only), and D-Bus reads the same (its own copy would be a random value per build).
: > "$root/etc/machine-id"
ln -sf /etc/machine-id "$root/var/lib/dbus/machine-id"
in_root systemctl enable aicert-runner.service aicert-boot-report.service systemd-networkd.service systemd-resolved.service
# No logins: the root account is locked and no console asks for one.
in_root systemctl mask getty.target serial-getty@.service getty@.service
# The root is found by the initrd, not by GPT partition types: no automatic mounts of the ESP
# or of any other partition.
mkdir -p "$root/etc/systemd/system-generators"
ln -sf /dev/null "$root/etc/systemd/system-generators/systemd-gpt-auto-generator"
# systemd-pcrphase extends PCR 11 with boot phases from userspace; PCR 11 must stay what the UKI's
# sections make it, computable from the image alone.
for unit in systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-pcrphase-initrd.service; do
    if [ -e "$root/usr/lib/systemd/system/$unit" ] || [ -e "$root/lib/systemd/system/$unit" ]; then
        in_root systemctl mask "$unit"
    fi
done
mkdir -p "$root/var/lib/aicert"

step "manifest"
{
    echo "# AICert base image manifest"
    echo "suite: $suite"
    echo "mirror: $mirror"
    echo "security-mirror: $security"
    echo "release-date: $release_date"
    echo "release-sha256: $(sha256sum "$work/Release" | cut -d' ' -f1)"
    echo "source-date-epoch: $SOURCE_DATE_EPOCH"
    echo "kernel: $kernel_package $kernel_version sha256:$kernel_deb_sha256"
    echo "runner: sha256:$(sha256sum "$root/usr/bin/aicert-runner" | cut -d' ' -f1) (stripped)"
    [ ! -f "$work/runtime.txt" ] || cat "$work/runtime.txt"
    echo "build-host-tools:"
    for tool in debootstrap erofs-utils cryptsetup-bin dosfstools mtools fdisk binutils cpio; do
        echo "  $tool $(dpkg-query -W -f='${Version}' "$tool" 2>/dev/null || echo unknown)"
    done
    echo "packages:"
    in_root dpkg-query -W -f='  ${Package} ${Version} ${Architecture}\n' | sort
} > "$work/manifest.txt"

step "initrd"
# The initrd holds image/initrd/init, the tools it runs with their libraries (copied from the
# root, so they are the root's own packages), and the modules the root device needs, in load order.
initrd=$work/initrd
mkdir -p "$initrd"/{dev,proc,sys,root,usr/bin,usr/sbin,usr/lib/aicert,usr/lib64}
for link in bin sbin lib lib64; do ln -s "usr/$link" "$initrd/$link"; done
mkdir -p "$initrd/usr/lib"
copy_from_root() {  # an absolute path in the root, copied with its resolved target
    local path=$1 real
    real=$(chroot "$root" readlink -f "$path")
    mkdir -p "$initrd$(dirname "$real")"
    cp -a "$root$real" "$initrd$real"
    if [ "$real" != "$path" ] && [ ! -e "$initrd$path" ]; then
        mkdir -p "$initrd$(dirname "$path")"
        ln -s "$real" "$initrd$path"
    fi
}
for tool in /usr/bin/sh /usr/bin/dash /usr/bin/cat /usr/bin/grep /usr/bin/sed /usr/bin/sleep /usr/bin/mkdir \
    /usr/bin/mount /usr/sbin/switch_root /usr/sbin/dmsetup /usr/bin/kmod; do
    copy_from_root "$tool"
    for library in $(in_root ldd "$tool" | grep -o '/[^ ]*' | sort -u); do
        copy_from_root "$library"
    done
done
ln -s ../bin/kmod "$initrd/usr/sbin/insmod"
in_root modprobe -S "$kver" --show-depends -a virtio_pci virtio_blk dm_verity erofs \
    | sed -n 's/^insmod \([^ ]*\).*/\1/p' | awk '!seen[$0]++' > "$initrd/usr/lib/aicert/modules"
while read -r module; do copy_from_root "$module"; done < "$initrd/usr/lib/aicert/modules"
install -m 0755 "$here/initrd/init" "$initrd/init"
find "$initrd" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$initrd" && find . -mindepth 1 | sort | cpio -o -H newc --reproducible --owner=0:0 --quiet) \
    | gzip -n -9 > "$work/initrd.img"

step "root file system (erofs + dm-verity)"
umount "$root/proc" "$root/sys" "$root/dev"
# Everything the build itself left behind that differs between builds.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/var/cache/ldconfig/aux-cache \
    "$root"/etc/apt/sources.list~ "$root"/tmp/* "$root"/var/tmp/*
# Password ages count days since the epoch of the build: fix them to SOURCE_DATE_EPOCH.
days=$((SOURCE_DATE_EPOCH / 86400))
awk -F: -v OFS=: -v days="$days" '$3 != "" { $3 = days } { print }' "$root/etc/shadow" > "$work/shadow"
cat "$work/shadow" > "$root/etc/shadow"
mkfs.erofs -zlz4hc -T"$SOURCE_DATE_EPOCH" -U"$erofs_uuid" --quiet "$work/root.erofs" "$root"
data_bytes=$(stat -c %s "$work/root.erofs")
[ $((data_bytes % 4096)) -eq 0 ] || { echo "build.sh: erofs image is not 4 KiB aligned" >&2; exit 1; }
data_blocks=$((data_bytes / 4096))
veritysetup format --no-superblock --data-block-size=4096 --hash-block-size=4096 --hash=sha256 \
    --salt="$verity_salt" "$work/root.erofs" "$work/root.verity" > "$work/verity.txt"
root_hash=$(sed -n 's/^Root hash:[[:space:]]*//p' "$work/verity.txt")
[ ${#root_hash} -eq 64 ] || { echo "build.sh: veritysetup gave no root hash" >&2; cat "$work/verity.txt" >&2; exit 1; }
echo "root-hash: $root_hash" >> "$work/manifest.txt"
echo "root-data-blocks: $data_blocks" >> "$work/manifest.txt"

step "unified kernel image"
stub=$root/usr/lib/systemd/boot/efi/linuxx64.efi.stub
printf 'console=ttyS0,115200 panic=-1 ro aicert.verity=%s:%s:%s\n' "$data_blocks" "$root_hash" "$verity_salt" \
    | tr -d '\n' > "$work/cmdline.txt"
{ cat "$root/usr/lib/os-release"; echo "IMAGE_ID=aicert"; echo "IMAGE_VERSION=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d)"; } \
    > "$work/os-release"
# Section addresses: after the stub's own image, each section aligned up to 1 MiB.
align() { echo $(( ($1 + 0xfffff) / 0x100000 * 0x100000 )); }
stub_end=0
while read -r _ _ size vma _; do
    [ $((0x$vma + 0x$size)) -gt "$stub_end" ] && stub_end=$((0x$vma + 0x$size))
done < <(objdump -h "$stub" | grep -E '^ +[0-9]+ ')
image_base=$((0x$(objdump -p "$stub" | sed -n 's/^ImageBase[[:space:]]*//p')))
osrel_at=$(align $((stub_end - image_base)))
cmdline_at=$((osrel_at + $(align "$(stat -c %s "$work/os-release")")))
linux_at=$((cmdline_at + $(align "$(stat -c %s "$work/cmdline.txt")")))
initrd_at=$((linux_at + $(align "$(stat -c %s "$work/kernel/boot/vmlinuz-$kver")")))
objcopy \
    --add-section .osrel="$work/os-release" --change-section-vma .osrel=$((image_base + osrel_at)) \
    --add-section .cmdline="$work/cmdline.txt" --change-section-vma .cmdline=$((image_base + cmdline_at)) \
    --add-section .linux="$work/kernel/boot/vmlinuz-$kver" --change-section-vma .linux=$((image_base + linux_at)) \
    --add-section .initrd="$work/initrd.img" --change-section-vma .initrd=$((image_base + initrd_at)) \
    "$stub" "$work/aicert.efi"
# objcopy stamps the PE header with the current time (binutils 2.40 ignores SOURCE_DATE_EPOCH
# there): set TimeDateStamp to SOURCE_DATE_EPOCH and recompute the optional header's CheckSum.
python3 - "$work/aicert.efi" "$SOURCE_DATE_EPOCH" <<'PYTHON'
import array, struct, sys
path, epoch = sys.argv[1], int(sys.argv[2])
image = bytearray(open(path, "rb").read())
pe = struct.unpack_from("<I", image, 0x3C)[0]
assert image[pe:pe + 4] == b"PE\0\0", "not a PE image"
struct.pack_into("<I", image, pe + 8, epoch)
checksum_at = pe + 24 + 64
struct.pack_into("<I", image, checksum_at, 0)
# The sum of the 16-bit words with end-around carry, plus the file length.
total = sum(array.array("H", bytes(image) + b"\0" * (len(image) % 2)))
while total > 0xFFFF:
    total = (total & 0xFFFF) + (total >> 16)
struct.pack_into("<I", image, checksum_at, total + len(image))
open(path, "wb").write(image)
PYTHON

step "EFI system partition"
truncate -s $((esp_mib * 1024 * 1024)) "$work/esp.img"
mkfs.vfat -F 32 -n AICERT-ESP -i "$esp_volume_id" --invariant "$work/esp.img" > /dev/null
touch -d "@$SOURCE_DATE_EPOCH" "$work/aicert.efi"
export MTOOLS_SKIP_CHECK=1
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -m -i "$work/esp.img" "$work/aicert.efi" ::/EFI/BOOT/BOOTX64.EFI

step "disk image"
# GPT: ESP, root, hash tree. Partitions start on 1 MiB boundaries; sizes are in 512-byte sectors.
mib=2048
esp_sectors=$((esp_mib * mib))
root_sectors=$(( ($(stat -c %s "$work/root.erofs") + 1048575) / 1048576 * mib ))
verity_sectors=$(( ($(stat -c %s "$work/root.verity") + 1048575) / 1048576 * mib ))
esp_start=$mib
root_start=$((esp_start + esp_sectors))
verity_start=$((root_start + root_sectors))
disk_sectors=$((verity_start + verity_sectors + mib))
rm -f "$work/disk.raw"
truncate -s $((disk_sectors * 512)) "$work/disk.raw"
sfdisk --quiet "$work/disk.raw" <<EOF
label: gpt
label-id: $disk_uuid
unit: sectors
first-lba: 2048
start=$esp_start, size=$esp_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$esp_uuid, name="esp"
start=$root_start, size=$root_sectors, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$root_uuid, name="aicert-root"
start=$verity_start, size=$verity_sectors, type=2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5, uuid=$verity_uuid, name="aicert-verity"
EOF
dd if="$work/esp.img" of="$work/disk.raw" bs=512 seek="$esp_start" conv=notrunc,sparse status=none
dd if="$work/root.erofs" of="$work/disk.raw" bs=512 seek="$root_start" conv=notrunc,sparse status=none
dd if="$work/root.verity" of="$work/disk.raw" bs=512 seek="$verity_start" conv=notrunc,sparse status=none

step "outputs"
# The image's identity: what its runner signs into every certificate's runner event (through
# fw_cfg, see start-runner) and what `aicert image measure --register` files its values under.
image_version=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d)
uki_sha256=$(sha256sum "$work/aicert.efi" | cut -d' ' -f1)
printf '{"name":"aicert","version":"%s","uki_sha256":"%s"}\n' "$image_version" "$uki_sha256" > "$work/image.json"
cp "$work/disk.raw" "$work/aicert.efi" "$work/manifest.txt" "$work/image.json" "$out/"
(cd "$out" && sha256sum disk.raw aicert.efi manifest.txt image.json > SHA256SUMS && cat SHA256SUMS)
echo "root file system: $data_bytes bytes erofs, $(stat -c %s "$work/root.verity") bytes hash tree"
echo "build.sh: done in ${SECONDS}s"
