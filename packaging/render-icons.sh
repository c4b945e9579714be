#!/bin/sh
# Renders the hicolor PNG icons from assets/sipchat.svg (needs rsvg-convert,
# Debian package librsvg2-bin). Run from anywhere; the PNGs are committed, so
# packaging does not need librsvg. Run again after changing the SVG.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
svg="$root/assets/sipchat.svg"
out="$root/packaging/icons"
command -v rsvg-convert >/dev/null || { echo "render-icons: rsvg-convert not found (apt-get install librsvg2-bin)" >&2; exit 1; }
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$out/${size}x${size}"
    rsvg-convert --width "$size" --height "$size" --format png \
        --output "$out/${size}x${size}/org.sipchat.Sipchat.png" "$svg"
done
echo "render-icons: wrote $(ls "$out" | wc -l) sizes to $out"
