#!/bin/sh
# Packs the packaged macOS app into a disk image holding the app and a link to /Applications: open the
# image and drag the app onto the link, as with most Mac apps.
#
# UNTRIED: written from hdiutil's manual page; no Mac was at hand to run it.
#
#   .venv/bin/pyinstaller --noconfirm build.spec     -> dist/Voice Assistant.app
#   sh resources/build/macos-dmg.sh                  -> dist/VoiceAssistant-<version>.dmg
#
# For distribution, sign the app (Developer ID, hardened runtime, resources/build/entitlements.plist)
# before this, then sign and notarize the image: without that, Gatekeeper refuses to open the app.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP="$ROOT/dist/Voice Assistant.app"
[ -d "$APP" ] || { echo "$APP is missing: build it first (pyinstaller --noconfirm build.spec)." >&2; exit 1; }
VERSION=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist")
IMAGE="$ROOT/dist/VoiceAssistant-$VERSION.dmg"

STAGING=$(mktemp -d)
trap 'rm -rf "$STAGING"' EXIT
ditto "$APP" "$STAGING/Voice Assistant.app"  # ditto keeps the bundle's links, attributes and signature
ln -s /Applications "$STAGING/Applications"
hdiutil create -volname "Voice Assistant" -srcfolder "$STAGING" -fs HFS+ -format UDZO -ov "$IMAGE"
hdiutil verify "$IMAGE"
echo "$IMAGE"
