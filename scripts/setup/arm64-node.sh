#!/usr/bin/env bash
# An arm64 Node (Debian 12's nodejs, 18.x, Node-API 8+) with its arm64 libraries, unpacked
# into the cache (nothing installed system-wide), to load the linux-arm64-gnu addon under
# qemu-user-static. A private apt configuration (own lists/archives, status /dev/null,
# APT::Architecture=arm64) downloads the .debs from the system's own Debian mirror.
# Prints the path of a runner script on stdout (last line):
#   "$(bash scripts/setup/arm64-node.sh | tail -n 1)" -e 'console.log(process.arch)'   # arm64
set -euo pipefail
SETUP_NAME=arm64-node
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$WSPRISM_CACHE/arm64-node"
RUN="$DIR/node"
if [ -x "$RUN" ] && "$RUN" -e 'process.exit(process.arch === "arm64" ? 0 : 1)' 2>/dev/null; then
  echo "arm64-node: cached ($RUN)" >&2
  echo "$RUN"
  exit 0
fi
lock_cache arm64-node
bash "$SETUP_DIR/cross-toolchain.sh" >/dev/null   # qemu-user-static
QEMU="$(command -v qemu-aarch64-static)" || die "qemu-aarch64-static missing"
start="$(now_s)"
APTDIR="$DIR/apt"
rm -rf "$DIR.partial"; mkdir -p "$DIR.partial"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$APTDIR/cache" "$APTDIR/sources.list.d" "$APTDIR/preferences.d"
: >"$APTDIR/sources.list"
cp /etc/apt/sources.list.d/*.sources "$APTDIR/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$APTDIR/sources.list"
PRIV=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
      -o "Dir::Etc::PreferencesParts=$APTDIR/preferences.d" -o "Dir::State::Lists=$APTDIR/lists"
      -o "Dir::State::status=/dev/null" -o "Dir::State::extended_states=$APTDIR/extended_states"
      -o "Dir::Cache=$APTDIR/cache" -o "Dir::Cache::archives=$APTDIR/archives"
      -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64" -o "APT::Sandbox::User=$(id -un)"
      -o Acquire::Retries=3)
log "apt-get update (private config, arm64)"
apt-get "${PRIV[@]}" update -q >&2 || die "private apt-get update failed"
DEBS=(nodejs libnode108 libc6 libgcc-s1 libstdc++6 libuv1 libbrotli1 libc-ares2 libnghttp2-14 libicu72 libssl3 zlib1g)
ALL=(node-acorn node-cjs-module-lexer node-undici)   # Architecture: all (JS used by Debian's node)
log "apt-get download ${DEBS[*]} ${ALL[*]}"
mkdir -p "$DIR.partial/debs"
(cd "$DIR.partial/debs" && apt-get "${PRIV[@]}" download "${DEBS[@]/%/:arm64}" "${ALL[@]}") >&2 || die "apt-get download failed"
for d in "$DIR.partial"/debs/*.deb; do dpkg -x "$d" "$DIR.partial/root"; done
cat >"$DIR.partial/node" <<EOT
#!/bin/sh
# arm64 Node under qemu-user-static (sysroot: the unpacked arm64 .debs)
R="$DIR/root"
exec "$QEMU" -L "\$R" -E LD_LIBRARY_PATH="\$R/lib/aarch64-linux-gnu:\$R/usr/lib/aarch64-linux-gnu" "\$R/usr/bin/node" "\$@"
EOT
chmod +x "$DIR.partial/node"
rm -rf "$DIR.partial/apt"; mv "$APTDIR" "$DIR.partial/apt"
rm -rf "$DIR"; mv "$DIR.partial" "$DIR"
"$RUN" -e 'if (process.arch !== "arm64") process.exit(1)' || die "the arm64 node does not run under qemu"
log "arm64 node $("$RUN" --version) in $(elapsed "$start") s"
echo "$RUN"
