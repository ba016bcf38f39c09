package audit

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed statement of the tree: its origin (the ledger's name, which is
// also the name of the key that signs it), its size in leaves, and its root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// ErrBadCheckpoint means a checkpoint text is not a well-formed checkpoint, or is not
// signed by the key it is checked with.
var ErrBadCheckpoint = errors.New("bad checkpoint")

// body is the C2SP tlog-checkpoint body, the text the signature covers.
func (c Checkpoint) body() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n"
}

// Checkpoint signs a checkpoint of the tree at its current size. The signer's key name
// is the origin, so a partner holding the verifier key knows which ledger spoke.
func (t *Tree) Checkpoint(signer note.Signer) (Checkpoint, []byte, error) {
	t.mu.RLock()
	c := Checkpoint{Origin: signer.Name(), Size: t.size}
	root, err := t.rootAt(t.size)
	t.mu.RUnlock()
	if err != nil {
		return Checkpoint{}, nil, err
	}
	c.Root = root
	text, err := SignCheckpoint(c, signer)
	return c, text, err
}

// SignCheckpoint writes c as a signed note. c.Origin must be the signer's key name.
func SignCheckpoint(c Checkpoint, signer note.Signer) ([]byte, error) {
	if c.Origin != signer.Name() {
		return nil, fmt.Errorf("sign checkpoint of %s with the key of %s: %w", c.Origin, signer.Name(), ErrBadCheckpoint)
	}
	text, err := note.Sign(&note.Note{Text: c.body()}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return text, nil
}

// OpenCheckpoint checks a checkpoint's signature with verifierKey (a note verifier key,
// as LoadOrCreateKey returns) and reads it. The origin must be the key's name: a
// checkpoint of another ledger signed by the same key is refused.
func OpenCheckpoint(text []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(text, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the key's name %q", ErrBadCheckpoint, c.Origin, v.Name())
	}
	return c, nil
}

// openNote checks the signature of a note the ledger signed (an export's or a proof's
// statement) with verifierKey, and opens it.
func openNote(text, verifierKey string) (*note.Note, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	return note.Open([]byte(text), note.VerifierList(v))
}

// parseCheckpoint reads a checkpoint body. Extension lines after the root hash are
// allowed by C2SP and ignored: govledger writes none.
func parseCheckpoint(body string) (Checkpoint, error) {
	lines := strings.SplitN(body, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, fmt.Errorf("%w: want origin, size and root hash lines", ErrBadCheckpoint)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("%w: size %q is not a decimal number", ErrBadCheckpoint, lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("%w: root hash %q is not %d bytes of base64", ErrBadCheckpoint, lines[2], tlog.HashSize)
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: tlog.Hash(root)}, nil
}

// Key is the ledger's signing key and the verifier key partners check its checkpoints with.
type Key struct {
	Signer      note.Signer
	VerifierKey string
}

// KeyFile is the name of the ledger's checkpoint key file in its data folder.
const KeyFile = "govledger-checkpoint.key"

// DefaultOrigin is the name a ledger gets when it is given none: govledger/<host name>.
// It is fixed when the ledger's key is created, so moving the data folder to another
// machine keeps it.
func DefaultOrigin() string {
	host, err := os.Hostname()
	if err != nil || host == "" || strings.ContainsAny(host, "+ \t\n") {
		return "govledger"
	}
	return "govledger/" + host
}

// LoadOrCreateKey reads the ledger's checkpoint key from path, or creates it there
// (mode 0600, refusing to overwrite a file that appeared meanwhile) when there is none.
// The file holds two lines: the note signer key (PRIVATE+KEY+<origin>+…) and its
// verifier key, which is public and may be handed to every partner. origin names the
// ledger, such as govledger.example/synergy-alliance; an existing key of another name is
// refused, because every checkpoint issued so far carries the old one. An empty origin
// takes the existing key's name, or DefaultOrigin for a new key.
func LoadOrCreateKey(path, origin string) (Key, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if origin == "" {
			origin = DefaultOrigin()
		}
		return createKey(path, origin)
	}
	if err != nil {
		return Key{}, fmt.Errorf("checkpoint key: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		return Key{}, fmt.Errorf("checkpoint key %s: want a signer key line and a verifier key line", path)
	}
	k, err := parseKey(lines[0], lines[1])
	if err != nil {
		return Key{}, fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	if origin != "" && k.Signer.Name() != origin {
		return Key{}, fmt.Errorf("checkpoint key %s is the key of %q, not of %q", path, k.Signer.Name(), origin)
	}
	return k, nil
}

func createKey(path, origin string) (Key, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return Key{}, fmt.Errorf("generate checkpoint key for %q: %w", origin, err)
	}
	k, err := parseKey(skey, vkey)
	if err != nil {
		return Key{}, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Key{}, fmt.Errorf("create checkpoint key: %w", err)
	}
	_, err = f.WriteString(skey + "\n" + vkey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Key{}, fmt.Errorf("write checkpoint key %s: %w", path, err)
	}
	return k, nil
}

// parseKey reads a signer and verifier key and checks that they are one key pair.
func parseKey(skey, vkey string) (Key, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("signer key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Key{}, fmt.Errorf("verifier key: %w", err)
	}
	sig, err := s.Sign([]byte("govledger key check\n"))
	if err != nil {
		return Key{}, fmt.Errorf("signer key: %w", err)
	}
	if v.Name() != s.Name() || v.KeyHash() != s.KeyHash() || !v.Verify([]byte("govledger key check\n"), sig) {
		return Key{}, errors.New("the verifier key is not the signer key's")
	}
	return Key{Signer: s, VerifierKey: vkey}, nil
}
