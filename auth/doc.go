// Package auth decides who a caller is and what the caller may do.
//
// Who: API tokens ("tg_" + 30 random base62 characters + a 6-character
// CRC-32 checksum; see ParseToken) sent as "Authorization: Bearer", and
// browser sessions whose cookie holds a secret of the same shape with the
// prefix "tgs_". Both are stored only as SHA-256 hashes (HashSecret).
// Passwords are hashed with argon2id in the PHC string format
// (HashPassword); failed sign-ins make the next attempt wait, a delay
// that grows per account and per client address and never locks anyone
// out (LoginLimiter; ClientAddress believes X-Forwarded-For only from
// trusted proxies); cross-origin form posts are refused by the standard
// library's http.CrossOriginProtection (CSRFProtect). Authenticator ties
// these to the store's tollgate.UserService.
//
// What: the table in policy.go lists every permission ("object.action"),
// the roles that hold it and the ownership rule under which each reaches an
// object (any, same_org, assigned, read_all). Authorize is the only place
// that table is applied: nil, EFORBIDDEN (the role lacks the permission) or
// ENOTFOUND (the object belongs to another tenant, reported as absent).
//
// The package is pure apart from Authenticator: it reads the clock and
// randomness only through what it is given.
package auth
