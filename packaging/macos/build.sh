#!/usr/bin/env bash
# Builds dist/Sockstray.app and dist/Sockstray-VERSION-macos-ARCH.dmg on a Mac
# (it cannot run on Linux: the GUI needs cgo against Apple's frameworks).
#
# Needs: Go 1.26+, the Xcode command line tools (xcode-select --install).
# Builds for this Mac's architecture; GOARCH=amd64 on an Apple-silicon Mac
# builds for Intel.
#
# Optional, from the environment:
#   SOCKSTRAY_SIGN_IDENTITY   a "Developer ID Application: NAME (TEAMID)"
#                             identity in the keychain: signs the app (with
#                             the hardened runtime) and the .dmg
#   SOCKSTRAY_NOTARY_PROFILE  a notarytool keychain profile, made once with
#                             `xcrun notarytool store-credentials PROFILE
#                             --apple-id ID --team-id TEAMID`: notarizes the
#                             signed .dmg and staples the ticket to it
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname)" = Darwin ] || { echo "build.sh: run this on macOS" >&2; exit 1; }

version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
arch=$(go env GOARCH)
dmg=dist/Sockstray-$version-macos-$arch.dmg
identity=${SOCKSTRAY_SIGN_IDENTITY:-}
profile=${SOCKSTRAY_NOTARY_PROFILE:-}

GOBIN=$PWD/dist/tools/fyne-v1.7.4 go install fyne.io/tools/cmd/fyne@v1.7.4
fyne=dist/tools/fyne-v1.7.4/fyne
go build -ldflags "-s -w -X main.version=$version" -o dist/build/sockstray ./app

# fyne package reads FyneApp.toml here and bumps its Build: put it back.
keep=$(mktemp)
cp FyneApp.toml "$keep"
trap 'cp "$keep" FyneApp.toml; rm -f "$keep"' EXIT
rm -rf Sockstray.app dist/Sockstray.app
"$fyne" package -os darwin --executable dist/build/sockstray --icon packaging/macos/icon.png --use-raw-icon
mv Sockstray.app dist/Sockstray.app

if [ -n "$identity" ]; then
  codesign --force --options runtime --timestamp --sign "$identity" dist/Sockstray.app
  codesign --verify --strict --verbose=2 dist/Sockstray.app
fi

# The disk image: the app and a link to /Applications to drag it onto.
stage=$(mktemp -d)
cp -R dist/Sockstray.app "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Sockstray $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
rm -rf "$stage"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "$profile" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$profile" --wait
    xcrun stapler staple "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose "$dmg"
  fi
elif [ -n "$profile" ]; then
  echo "build.sh: SOCKSTRAY_NOTARY_PROFILE needs SOCKSTRAY_SIGN_IDENTITY: Apple notarizes signed code only" >&2
  exit 1
fi
echo "built dist/Sockstray.app and $dmg"
