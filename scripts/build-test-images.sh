#!/usr/bin/env bash
# Build the test images without a container daemon and push them to REGISTRY (host:port, plain HTTP):
#   tugboat-test/busybox      busybox httpd on :8080 serving /www (index.html says "tugboat-test busybox")
#   tugboat-test/crash        prints a line and exits 1
#   tugboat-test/slow-start   sleeps $SLOW_START_SECONDS (default 5) before serving like busybox
#   tugboat-test/memory-hog   grows a shell variable (real RSS) by 4 MiB every 100 ms until it is killed
#   tugboat-test/busybox-v2s2 the busybox image pushed with a Docker schema 2 manifest
#   tugboat-test/multiarch    an OCI index: linux/amd64 -> busybox, linux/arm64 -> crash
# Every image is the shared busybox base layer plus one small layer of its own; the busybox image's layer
# deletes /etc/tugboat-base-only from the base (a real `.wh.` whiteout).
# Needs: busybox (static), umoci, skopeo, sha256sum. Usage: build-test-images.sh REGISTRY
set -euo pipefail

REGISTRY=${1:?usage: build-test-images.sh REGISTRY (e.g. 127.0.0.1:5000)}
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
for tool in umoci skopeo sha256sum; do
  command -v "$tool" >/dev/null || { echo "build-test-images: $tool is missing" >&2; exit 1; }
done
if ! file_out=$("$BUSYBOX" --help 2>&1) || [[ $file_out != *BusyBox* ]]; then
  echo "build-test-images: $BUSYBOX is not busybox" >&2
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LAYOUT="$WORK/layout"
ROOTLESS=()
[[ $(id -u) -eq 0 ]] || ROOTLESS=(--rootless)

umoci init --layout "$LAYOUT"

# Base: busybox and one symlink per applet, minimal /etc.
umoci new --image "$LAYOUT:base"
umoci unpack "${ROOTLESS[@]}" --image "$LAYOUT:base" "$WORK/base"
R="$WORK/base/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/www" "$R/root" "$R/proc" "$R/sys" "$R/dev"
chmod 1777 "$R/tmp"
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [[ $applet == busybox ]] || ln -sf busybox "$R/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$R/etc/group"
echo 'only in the base layer; the busybox image deletes it' >"$R/etc/tugboat-base-only"
umoci repack --image "$LAYOUT:base" "$WORK/base"
umoci config --image "$LAYOUT:base" --config.env PATH=/bin --config.workingdir / \
  --config.cmd /bin/sh --architecture amd64 --os linux

# derive NAME: tag the base as NAME, run the given function on its rootfs, repack, then configure.
derive() {
  local name=$1 populate=$2
  shift 2
  umoci tag --image "$LAYOUT:base" "$name"
  umoci unpack "${ROOTLESS[@]}" --image "$LAYOUT:$name" "$WORK/$name"
  "$populate" "$WORK/$name/rootfs"
  umoci repack --image "$LAYOUT:$name" "$WORK/$name"
  umoci config --image "$LAYOUT:$name" "$@"
}

populate_busybox() {
  echo '<h1>tugboat-test busybox</h1>' >"$1/www/index.html"
  rm "$1/etc/tugboat-base-only"
}
populate_crash() {
  printf '#!/bin/sh\necho "tugboat-test/crash: exiting with status 1"\nexit 1\n' >"$1/bin/crash"
  chmod 755 "$1/bin/crash"
}
populate_slow_start() {
  echo '<h1>tugboat-test slow-start</h1>' >"$1/www/index.html"
  cat >"$1/bin/slow-start" <<'EOF'
#!/bin/sh
echo "slow-start: waiting ${SLOW_START_SECONDS}s before serving"
sleep "${SLOW_START_SECONDS}"
echo "slow-start: serving on :8080"
exec httpd -f -p 8080 -h /www
EOF
  chmod 755 "$1/bin/slow-start"
}
populate_memory_hog() {
  # A shell variable lives in the process heap: appending to it raises RSS for real.
  cat >"$1/bin/memory-hog" <<'EOF'
#!/bin/sh
chunk=x
while [ ${#chunk} -lt 4194304 ]; do chunk="$chunk$chunk"; done
hog=
mib=0
while :; do
  hog="$hog$chunk"
  mib=$((mib + 4))
  [ $((mib % 16)) -eq 0 ] && echo "memory-hog: holding ${mib} MiB"
  usleep 100000
done
EOF
  chmod 755 "$1/bin/memory-hog"
}

derive busybox populate_busybox --config.entrypoint httpd --config.cmd -f --config.cmd -p \
  --config.cmd 8080 --config.cmd -h --config.cmd /www --config.exposedports 8080/tcp
derive crash populate_crash --config.entrypoint /bin/crash
derive slow-start populate_slow_start --config.entrypoint /bin/slow-start \
  --config.env SLOW_START_SECONDS="${SLOW_START_SECONDS:-5}" --config.exposedports 8080/tcp
derive memory-hog populate_memory_hog --config.entrypoint /bin/memory-hog

push() {
  skopeo copy --quiet --dest-tls-verify=false "$@"
}
for name in busybox crash slow-start memory-hog; do
  push "oci:$LAYOUT:$name" "docker://$REGISTRY/tugboat-test/$name:latest"
done
push --format v2s2 "oci:$LAYOUT:busybox" "docker://$REGISTRY/tugboat-test/busybox-v2s2:latest"

# The multi-platform index is written by hand into the layout: the busybox manifest as linux/amd64 and
# the crash manifest as linux/arm64, so a puller that picks the wrong entry gets the crash image.
descriptor_of() {
  # The manifest descriptor of tag $1 in the layout's index.json, re-emitted with a platform.
  local tag=$1 arch=$2 digest size
  digest=$(manifest_digest "$tag")
  size=$(stat -c %s "$LAYOUT/blobs/sha256/${digest#sha256:}")
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}' \
    "$digest" "$size" "$arch"
}
manifest_digest() {
  # index.json lists one descriptor per tag; find the one annotated with our tag name.
  tr '{' '\n' <"$LAYOUT/index.json" | grep -B1 "\"org.opencontainers.image.ref.name\":\"$1\"" |
    grep -o 'sha256:[a-f0-9]\{64\}' | head -n1
}
index_json=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
  "$(descriptor_of crash arm64)" "$(descriptor_of busybox amd64)")
index_digest=$(printf '%s' "$index_json" | sha256sum | cut -d' ' -f1)
printf '%s' "$index_json" >"$LAYOUT/blobs/sha256/$index_digest"
MULTI="$WORK/multi"
mkdir -p "$MULTI/blobs"
cp -r "$LAYOUT/blobs/sha256" "$MULTI/blobs/"
printf '{"imageLayoutVersion":"1.0.0"}' >"$MULTI/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$index_digest" "${#index_json}" >"$MULTI/index.json"
push --all "oci:$MULTI:latest" "docker://$REGISTRY/tugboat-test/multiarch:latest"

echo "build-test-images: pushed tugboat-test/{busybox,crash,slow-start,memory-hog,busybox-v2s2,multiarch} to $REGISTRY"
