# Packaging targets, included by the Makefile.
#
#   make package       dist/: the Linux .tar.xz (fyne package), the .deb, and
#                      the Windows installer (NSIS) with dist/windows/sockstray.exe
#   make package-windows  only the Windows installer and exe (make windows)
#   make smoke-windows the installer under Wine: install, run, uninstall
#   make package-test  validate the desktop entry and metainfo; install the
#                      .deb, run it, uninstall it (needs root or sudo)
#   make cross         core and profiles (and the OS glue packages, the system
#                      proxy and the macOS-only files among them) build for
#                      windows/amd64, darwin/arm64, linux/arm64 without cgo
#   make icons         re-render the icon PNGs from assets/*.svg
#
# The Windows app and installer are cross-built here (packaging/windows/);
# the macOS package is built on a Mac: see packaging/macos/build.sh.

PKG_VERSION := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
PKG_BUILD   := $(shell sed -n 's/^Build *= *\([0-9]*\).*/\1/p' FyneApp.toml)
PKG_GOARCH  := $(shell $(GO) env GOARCH)
PKG_DEBARCH := $(shell dpkg --print-architecture 2>/dev/null || echo $(PKG_GOARCH))
PKG_BIN     := dist/build/sockstray
PKG_TAR     := dist/sockstray-$(PKG_VERSION)-linux-$(PKG_GOARCH).tar.xz
PKG_DEB     := dist/sockstray_$(PKG_VERSION)-$(PKG_BUILD)_$(PKG_DEBARCH).deb
PKG_LDFLAGS := -s -w -X main.version=$(PKG_VERSION)
FYNE_TOOL   := fyne.io/tools/cmd/fyne@v1.7.4
FYNE        := dist/tools/fyne-v1.7.4/fyne
# The cross-compile check: what must build with no cgo on every platform.
CROSS_PKGS    := ./core/... ./internal/sockerr $(if $(wildcard profiles/*.go),./profiles/...) ./app/autostart ./app/instance ./app/logfile ./app/proxyenv ./app/sockowner ./app/sysproxy ./app/control ./app/lan ./app/logring ./app/uitext
CROSS_TARGETS := windows/amd64 darwin/arm64 linux/arm64

PKG_WIN_SETUP := dist/sockstray-$(PKG_VERSION)-windows-amd64-setup.exe

.PHONY: package package-tar package-deb package-windows smoke-windows package-bin package-deps package-test cross icons

package: package-tar package-deb package-windows

package-deps:
	@packaging/deps-package.sh

# Same flags as `make build` apart from the linker's, so the build cache
# serves it; the version comes from FyneApp.toml.
package-bin: deps
	$(GO) build -ldflags "$(PKG_LDFLAGS)" -o $(PKG_BIN) ./app

$(FYNE):
	GOBIN=$(CURDIR)/$(dir $(FYNE)) $(GO) install $(FYNE_TOOL)

package-tar: package-deps package-bin $(FYNE)
	packaging/linux/build-tar.sh $(FYNE) $(PKG_BIN) $(PKG_TAR)

package-deb: package-deps package-bin
	packaging/linux/build-deb.sh $(PKG_BIN) $(PKG_VERSION) $(PKG_BUILD) $(PKG_DEB)

package-windows: windows
	packaging/windows/build-installer.sh $(PKG_VERSION) $(PKG_BUILD) $(WIN_EXE) $(PKG_WIN_SETUP)

# The installer under Wine: install, run, serve, window, uninstall.
smoke-windows: package-windows
	scripts/smoke-windows.sh $(PKG_WIN_SETUP) $(PKG_VERSION)

package-test: package-deb
	packaging/linux/test-deb.sh $(PKG_DEB)

cross:
	@for t in $(CROSS_TARGETS); do \
	  echo "== CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} go build $(CROSS_PKGS)"; \
	  CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build $(CROSS_PKGS) || exit 1; \
	  CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet ./app/autostart ./app/instance ./app/logfile ./app/sysproxy ./internal/sockerr ./internal/winetest || exit 1; \
	done

icons:
	packaging/icons.sh
