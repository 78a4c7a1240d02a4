package auth

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tollgate"
)

// memStore is an in-memory tollgate.UserService and OrgFinder for the
// Authenticator's tests, following the interface's contract.
type memStore struct {
	mu       sync.Mutex
	now      func() time.Time
	orgs     map[string]*tollgate.Org
	users    map[string]*tollgate.User
	tokens   map[string]*tollgate.Token
	sessions map[string]*tollgate.Session
	next     int
	writes   int // touches and ends, to check throttling
}

var _ tollgate.UserService = (*memStore)(nil)

func newMemStore(now func() time.Time) *memStore {
	return &memStore{now: now, orgs: map[string]*tollgate.Org{}, users: map[string]*tollgate.User{},
		tokens: map[string]*tollgate.Token{}, sessions: map[string]*tollgate.Session{}}
}

func (m *memStore) id(prefix string) string { m.next++; return fmt.Sprintf("%s%d", prefix, m.next) }

func notFound(what, id string) error {
	return tollgate.Errorf(tollgate.ENOTFOUND, "%s %s not found", what, id)
}

func (m *memStore) FindOrgByID(_ context.Context, id string) (*tollgate.Org, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.orgs[id]; ok {
		c := *o
		return &c, nil
	}
	return nil, notFound("org", id)
}

func (m *memStore) FindUserByID(_ context.Context, id string) (*tollgate.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.users[id]; ok {
		c := *u
		return &c, nil
	}
	return nil, notFound("user", id)
}

func (m *memStore) FindUserByEmail(_ context.Context, email string) (*tollgate.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.Email == email {
			c := *u
			return &c, nil
		}
	}
	return nil, notFound("user", email)
}

func (m *memStore) FindUsersByEmail(_ context.Context, email string) ([]*tollgate.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*tollgate.User
	for _, u := range m.users {
		if u.Email == email {
			c := *u
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memStore) FindUsers(context.Context, tollgate.UserFilter) ([]*tollgate.User, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*tollgate.User
	for _, u := range m.users {
		c := *u
		out = append(out, &c)
	}
	return out, "", nil
}

func (m *memStore) CreateUser(_ context.Context, u *tollgate.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u.ID = m.id("u")
	c := *u
	m.users[u.ID] = &c
	return nil
}

func (m *memStore) UpdateUser(_ context.Context, id string, upd tollgate.UserUpdate) (*tollgate.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return nil, notFound("user", id)
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
		if u.Disabled {
			m.endUserSessions(id, tollgate.SessionEndUserDisabled)
		}
	}
	c := *u
	return &c, nil
}

func (m *memStore) SetPasswordHash(_ context.Context, id, hash, keep string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return notFound("user", id)
	}
	u.PasswordHash = hash
	for _, s := range m.sessions {
		if s.UserID == id && s.ID != keep {
			EndSession(s, tollgate.SessionEndPasswordChanged, m.now())
		}
	}
	return nil
}

func (m *memStore) CreateToken(_ context.Context, t *tollgate.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.ID = m.id("tok")
	c := *t
	m.tokens[t.ID] = &c
	return nil
}

func (m *memStore) FindTokenByHash(_ context.Context, hash string) (*tollgate.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.tokens {
		if t.Hash == hash {
			c := *t
			return &c, nil
		}
	}
	return nil, notFound("token", "")
}

func (m *memStore) FindTokens(_ context.Context, userID string) ([]*tollgate.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*tollgate.Token
	for _, t := range m.tokens {
		if t.UserID == userID {
			c := *t
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memStore) TouchToken(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if t, ok := m.tokens[id]; ok && at.After(t.LastUsedAt) {
		t.LastUsedAt = at
	}
	return nil
}

func (m *memStore) RevokeToken(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[id]
	if !ok {
		return notFound("token", id)
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = m.now()
	}
	return nil
}

func (m *memStore) CreateSession(_ context.Context, s *tollgate.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = m.id("s")
	c := *s
	m.sessions[s.ID] = &c
	return nil
}

func (m *memStore) FindSessionByHash(_ context.Context, hash string) (*tollgate.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sessions {
		if s.Hash == hash {
			c := *s
			return &c, nil
		}
	}
	return nil, notFound("session", "")
}

func (m *memStore) TouchSession(_ context.Context, id string, lastSeen, idleExpires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if s, ok := m.sessions[id]; ok {
		s.LastSeenAt, s.IdleExpiresAt = lastSeen, idleExpires
	}
	return nil
}

func (m *memStore) EndSession(_ context.Context, id, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if s, ok := m.sessions[id]; ok {
		EndSession(s, reason, m.now())
	}
	return nil
}

func (m *memStore) EndUserSessions(_ context.Context, userID, reason string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.endUserSessions(userID, reason), nil
}

func (m *memStore) endUserSessions(userID, reason string) int {
	n := 0
	for _, s := range m.sessions {
		if s.UserID == userID && s.EndedAt.IsZero() {
			EndSession(s, reason, m.now())
			n++
		}
	}
	return n
}

// MustSession returns a new session secret or fails tb.
func MustSession(tb testing.TB) Secret {
	tb.Helper()
	s, err := NewSessionSecret(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testParams are cheap argon2id parameters for tests.
var testParams = PasswordParams{Memory: minPasswordMemory, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
