#!/usr/bin/env bash
# `npm start`: until the visualizer exists (issue "The frame visualizer"), build the CLI and
# show it decoding the RFC 6455 examples.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p wsprism-cli >&2
bin=target/release/wsprism
echo "\$ wsprism inspect --role server 818537fa213d7f9f4d5158"
"$bin" inspect --role server 818537fa213d7f9f4d5158
echo
echo "\$ wsprism accept dGhlIHNhbXBsZSBub25jZQ=="
"$bin" accept dGhlIHNhbXBsZSBub25jZQ==
