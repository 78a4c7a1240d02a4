package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// KeyFileName is the name of the signing key's file in the key directory.
// It holds the note signer key ("PRIVATE+KEY+name+hash+data") and must be
// readable by its owner only.
const KeyFileName = "audit-signing.key"

// DefaultOrigin is the log name used when none is configured.
const DefaultOrigin = "tollgate"

// A Key is the Ed25519 key that signs checkpoints, with its public half in
// note verifier key form.
type Key struct {
	skey   string
	vkey   string
	signer note.Signer
}

// Name returns the key's name: the origin of the checkpoints it signs.
func (k *Key) Name() string { return k.signer.Name() }

// Hash returns the key's 32-bit hash as sumdb/note computes it; it tells
// apart the keys of one log across rotations.
func (k *Key) Hash() uint32 { return k.signer.KeyHash() }

// VerifierKey returns the public key as a note verifier key
// ("name+hash+data"): what `tollgate audit key` prints and an auditor
// passes to `tollgate audit verify --key`.
func (k *Key) VerifierKey() string { return k.vkey }

// Signer returns the note signer for the key.
func (k *Key) Signer() note.Signer { return k.signer }

// Verifier returns the note verifier for the key's public half.
func (k *Key) Verifier() note.Verifier {
	v, err := note.NewVerifier(k.vkey)
	if err != nil {
		panic("auditlog: key's own verifier key does not parse: " + err.Error())
	}
	return v
}

// Sign returns c as a note signed by k (see SignCheckpoint).
func (k *Key) Sign(c Checkpoint) ([]byte, error) { return SignCheckpoint(c, k.signer) }

// GenerateKey returns a new Ed25519 key for the log named name, drawing
// randomness from rnd (crypto/rand when nil).
func GenerateKey(rnd io.Reader, name string) (*Key, error) {
	if err := checkOrigin(name); err != nil {
		return nil, fmt.Errorf("auditlog.GenerateKey: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	skey, _, err := note.GenerateKey(rnd, name)
	if err != nil {
		return nil, fmt.Errorf("auditlog.GenerateKey: %w", err)
	}
	return ParseKey(skey)
}

// ParseKey parses a note signer key ("PRIVATE+KEY+name+hash+data") of
// the Ed25519 type.
func ParseKey(skey string) (*Key, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("auditlog.ParseKey: %w", err)
	}
	// NewSigner checked the layout, the algorithm and the hash.
	// The key data is the fifth field; base64 may itself contain '+'.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return nil, errors.New("auditlog.ParseKey: malformed key data")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("auditlog.ParseKey: %w", err)
	}
	return &Key{skey: skey, vkey: vkey, signer: signer}, nil
}

// LoadKey reads the signing key from dir. The file must not be readable or
// writable by group or others.
func LoadKey(dir string) (*Key, error) {
	path := filepath.Join(dir, KeyFileName)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auditlog.LoadKey: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auditlog.LoadKey: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auditlog.LoadKey: %s has permissions %v; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("auditlog.LoadKey: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("auditlog.LoadKey: %s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreateKey returns the signing key kept in dir, creating dir (0700)
// and a new key for the log named name (file mode 0600) on first use, and
// reports whether it created one. An existing key for another name is an
// error: a log's name does not change. Concurrent first calls agree on one
// key: the file appears atomically and only once.
func LoadOrCreateKey(dir, name string) (key *Key, created bool, err error) {
	k, err := LoadKey(dir)
	if err == nil {
		if k.Name() != name {
			return nil, false, fmt.Errorf("auditlog.LoadOrCreateKey: %w",
				inputErrorf("name", "the key in %s is for log %q, not %q", dir, k.Name(), name))
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	k, err = GenerateKey(nil, name)
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("auditlog.LoadOrCreateKey: %w", err)
	}
	tmp, err := writeTempKey(dir, k)
	if err != nil {
		return nil, false, fmt.Errorf("auditlog.LoadOrCreateKey: %w", err)
	}
	defer os.Remove(tmp)
	// Link, unlike Rename, fails when the file exists: a racing process
	// that created its key first wins, and this one loads that key.
	if err := os.Link(tmp, filepath.Join(dir, KeyFileName)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := LoadKey(dir)
			return k, false, err
		}
		return nil, false, fmt.Errorf("auditlog.LoadOrCreateKey: %w", err)
	}
	return k, true, nil
}

// RotateKey replaces the signing key in dir with a new key for the same log
// name and returns both. The old key stays in dir as
// "audit-signing.key.<hash>.retired" (0600) until an operator removes it.
// The caller must append a record of the rotation (see RotationRecord) and
// sign later checkpoints with the new key; auditors then need both public
// keys to verify checkpoints from before and after the rotation.
func RotateKey(dir string, rnd io.Reader) (oldKey, newKey *Key, err error) {
	oldKey, err = LoadKey(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog.RotateKey: %w", err)
	}
	newKey, err = GenerateKey(rnd, oldKey.Name())
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog.RotateKey: %w", err)
	}
	tmp, err := writeTempKey(dir, newKey)
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog.RotateKey: %w", err)
	}
	defer os.Remove(tmp)
	path := filepath.Join(dir, KeyFileName)
	retired := fmt.Sprintf("%s.%08x.retired", path, oldKey.Hash())
	// Keep the old key under its retired name before replacing it, so that
	// there is never a moment without a key file.
	if err := os.Link(path, retired); err != nil {
		return nil, nil, fmt.Errorf("auditlog.RotateKey: keep old key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, nil, fmt.Errorf("auditlog.RotateKey: %w", err)
	}
	return oldKey, newKey, nil
}

// writeTempKey writes k's private key to a new 0600 file in dir, synced to
// disk, and returns its path.
func writeTempKey(dir string, k *Key) (string, error) {
	f, err := os.CreateTemp(dir, ".audit-signing-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = io.WriteString(f, k.skey+"\n")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// RotationRecord returns the record that logs a key rotation: action
// "audit.key.rotate" on object "audit_key" (the new key's hash), with both
// public keys in Details so that the log itself tells auditors which key
// signs which checkpoints.
func RotationRecord(t time.Time, actor Actor, oldKey, newKey *Key) Record {
	details, err := CanonicalJSON(map[string]string{"old_key": oldKey.VerifierKey(), "new_key": newKey.VerifierKey()})
	if err != nil {
		panic("auditlog: encode rotation details: " + err.Error()) // strings always encode
	}
	return Record{
		Time:       t,
		Actor:      actor,
		Action:     "audit.key.rotate",
		ObjectType: "audit_key",
		ObjectID:   fmt.Sprintf("%08x", newKey.Hash()),
		Details:    details,
	}
}
