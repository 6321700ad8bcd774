// Package profiles is Sockstray's named proxy configurations: the profile
// model and its validation, one TOML file per profile in the user's config
// folder (written atomically, watched live with fsnotify), passwords in the
// OS keychain (go-keyring, never in a file), and socks5:// share links.
//
// A Profile turns into the engine's server.Config in one function,
// Profile.ServerConfig; the core knows nothing of profiles. The package
// imports no GUI and no cgo.
//
// Errors about a profile are an *InvalidError listing every problem at
// once, each naming its field (as the file spells it: "upstream[1].port")
// and, for a file, its line and column. Keychain trouble is
// ErrKeychainUnavailable or ErrKeychainLocked with what to do about it.
package profiles
