package sysproxy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// wininet is Windows' per-user proxy settings: the Internet Settings
// registry values that WinINet (and with it Edge, Chrome and most apps)
// reads, then the calls that make running programs read them again. Raw
// keys are the value names; Unset marks a value that was not there.
type wininet struct{}

const inetSettings = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`

var winValues = []string{"ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"}

var (
	wininetDLL         = windows.NewLazySystemDLL("wininet.dll")
	internetSetOptionW = wininetDLL.NewProc("InternetSetOptionW")
	advapi32DLL        = windows.NewLazySystemDLL("advapi32.dll")
	regSetValueExW     = advapi32DLL.NewProc("RegSetValueExW")
)

const (
	internetOptionSettingsChanged = 39 // INTERNET_OPTION_SETTINGS_CHANGED
	internetOptionRefresh         = 37 // INTERNET_OPTION_REFRESH
)

// Detect returns the WinINet backend.
func Detect() (Backend, error) { return wininet{}, nil }

func backendNamed(name string) (Backend, error) {
	if name != "wininet" {
		return nil, fmt.Errorf("system proxy settings %q are not supported here", name)
	}
	return wininet{}, nil
}

// stateDir is %LOCALAPPDATA%\Sockstray.
func stateDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "Sockstray"), nil
}

func (wininet) Name() string { return "wininet" }

func (w wininet) Read() (Settings, error) {
	raw, err := w.raw()
	if err != nil {
		return Settings{}, err
	}
	return winSettings(raw), nil
}

func (wininet) raw() ([]RawValue, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, inetSettings, registry.QUERY_VALUE)
	if err != nil {
		return nil, fmt.Errorf("open Internet Settings: %w", err)
	}
	defer k.Close()
	var raw []RawValue
	for _, name := range winValues {
		n, _, err := k.GetValue(name, nil)
		if errors.Is(err, registry.ErrNotExist) {
			raw = append(raw, RawValue{Key: name, Unset: true})
			continue
		}
		if err != nil && !errors.Is(err, registry.ErrShortBuffer) {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		buf := make([]byte, n)
		n, typ, err := k.GetValue(name, buf)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		raw = append(raw, RawValue{Key: name, Value: encodeRegRaw(typ, buf[:n])})
	}
	return raw, nil
}

func (w wininet) Apply(s Settings) error {
	want, err := winWant(s)
	if err != nil {
		return err
	}
	cur, err := w.raw()
	if err != nil {
		return err
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, inetSettings, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open Internet Settings: %w", err)
	}
	defer k.Close()
	for _, v := range want {
		if slices.Contains(cur, v) {
			continue
		}
		if err := setRegRaw(k, v); err != nil {
			return fmt.Errorf("write %s: %w", v.Key, err)
		}
	}
	// Tell WinINet, and through it running programs, to read them again.
	internetSetOptionW.Call(0, internetOptionSettingsChanged, 0, 0)
	internetSetOptionW.Call(0, internetOptionRefresh, 0, 0)
	return nil
}

// setRegRaw writes (or deletes) one value with its exact type and bytes.
func setRegRaw(k registry.Key, v RawValue) error {
	if v.Unset {
		if err := k.DeleteValue(v.Key); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return err
		}
		return nil
	}
	typ, data, err := decodeRegRaw(v.Value)
	if err != nil {
		return err
	}
	name, err := windows.UTF16PtrFromString(v.Key)
	if err != nil {
		return err
	}
	var p *byte
	if len(data) > 0 {
		p = &data[0]
	}
	r, _, _ := regSetValueExW.Call(uintptr(k), uintptr(unsafe.Pointer(name)), 0, uintptr(typ), uintptr(unsafe.Pointer(p)), uintptr(len(data)))
	if r != 0 {
		return windows.Errno(r)
	}
	return nil
}
