package profiles

// Builtin is the profile a fresh install has: "Direct", listening on
// 127.0.0.1:1080 without authentication, connecting straight out.
func Builtin() *Profile { return New(BuiltinName) }

// BuiltinName names the built-in profile.
const BuiltinName = "Direct"

// EnsureBuiltin writes the built-in profile when the folder has no
// profile file (a first start, or the user removed them all), and reports
// whether it did.
func (s *Store) EnsureBuiltin() (bool, error) {
	names, err := s.names()
	if err != nil || len(names) > 0 {
		return false, err
	}
	if err := s.Create(Builtin()); err != nil {
		return false, err
	}
	return true, nil
}
