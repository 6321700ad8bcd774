# Sockstray. The quick start is `make run` and `make test`; both install what
# is missing first (see scripts/deps.sh).

GO         ?= go
BIN        := bin/sockstray
FUZZTIME   ?= 3m
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Packages whose Fuzz targets `make fuzz` runs.
FUZZ_PKGS  := ./core/socks5 ./core/socks4 ./app/sysproxy

.PHONY: all deps build run run-headless test test-windows windows vet lint fuzz bench load uicost uicost-soak clean

# The packages with Windows behaviour (grep -rl windows --include=*_windows.go)
# and those their behaviour rests on: make test-windows runs their tests
# under Wine.
WINDOWS_TEST_PKGS := ./internal/sockerr ./internal/winetest ./internal/filelock ./core/socks5 ./core/socks4 \
  ./core/engine ./core/server ./core/relay ./core/stats ./core/rules ./core/authlimit \
  ./profiles/... ./app/sysproxy ./app/autostart ./app/instance ./app/logfile ./app/proxyenv

all: build

deps:
	@scripts/deps.sh

build:
	$(GO) build -o $(BIN) ./app

# Opens the desktop app on the built-in profile (or the one last used).
run: deps build
	./$(BIN)

# The proxy without a window, on the built-in profile.
run-headless: deps build
	@echo "Sockstray: SOCKS5 and HTTP proxy on 127.0.0.1:1080 (built-in profile Direct, no auth)."
	@echo "Try:  curl --socks5-hostname 127.0.0.1:1080 https://example.org/"
	./$(BIN) serve

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

lint: vet
	$(GO) run $(STATICCHECK) ./...

# All tests, race detector on, inside a private D-Bus session with an
# unlocked keychain and an Xvfb display (scripts/with-session.sh). Then core
# and profiles once more without cgo, as they must build (-short: the long
# paced and soak-like tests ran in the race pass).
test: deps lint build cross
	ulimit -n 65536 2>/dev/null || true; \
	SOCKSTRAY_BIN=$(CURDIR)/$(BIN) scripts/with-session.sh $(GO) test -race -count=1 ./...
	CGO_ENABLED=0 scripts/with-session.sh $(GO) test -short -count=1 ./core/... ./profiles/...

# sockstray.exe for Windows, cross-built with mingw-w64 (cgo), its icon,
# version and GUI subsystem (packaging/windows/build-exe.sh); the version
# comes from FyneApp.toml, as for the Linux packages.
WIN_EXE := dist/windows/sockstray.exe
windows:
	@scripts/deps-windows.sh
	packaging/windows/build-exe.sh $(PKG_VERSION) $(PKG_BUILD) $(WIN_EXE)

# The Windows tests, cross-compiled and run under Wine in a fresh prefix
# (scripts/test-windows.sh); installs mingw-w64, NSIS and Wine if missing.
# First every package, tests included, is vetted for Windows, so that
# nothing Unix-only creeps into code that builds there.
test-windows:
	@scripts/deps-windows.sh
	CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 $(GO) vet ./...
	scripts/test-windows.sh $(WINDOWS_TEST_PKGS)

# Coverage-guided fuzzing, FUZZTIME per target.
fuzz:
	@for pkg in $(FUZZ_PKGS); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench: deps build
	$(GO) test -run '^$$' -bench . -benchmem ./core/...
	ulimit -n 65536 2>/dev/null || true; \
	$(GO) run ./tools/socksload -sockstray $(CURDIR)/$(BIN) -conns 20000

# What the window costs with 5,000 idle proxied connections: CPU and RSS of
# serve and of the app hidden, on Connections and on Throughput, and CPU per
# GB relayed (tools/uicost; a few minutes). UICOST_FLAGS adds flags.
uicost: deps build
	$(GO) build -o bin/uicost ./tools/uicost
	ulimit -n 65536 2>/dev/null || true; \
	scripts/with-session.sh bin/uicost -sockstray $(CURDIR)/$(BIN) -gb 2 $(UICOST_FLAGS)

# Memory of the app over SOAK (30 minutes) on Connections with 5,000 rows
# that keep changing: RSS and CPU each minute.
SOAK ?= 30m
uicost-soak: deps build
	$(GO) build -o bin/uicost ./tools/uicost
	ulimit -n 65536 2>/dev/null || true; \
	scripts/with-session.sh bin/uicost -sockstray $(CURDIR)/$(BIN) -soak $(SOAK) $(UICOST_FLAGS)

clean:
	rm -rf bin dist

# Packaging targets (make package, make package-test) live with the packaging.
-include packaging/package.mk
