// Package auditlog is tollgate's tamper-evident audit log: an append-only
// log of records whose canonical encodings are the leaves of an RFC 6962
// Merkle tree, built with golang.org/x/mod/sumdb/tlog. Its proofs are
// RFC 6962 proofs: TestInteropTransparencyDev checks roots and proofs
// against github.com/transparency-dev/merkle, an independent
// implementation.
//
// # Records
//
// A Record is one state change: sequence number, time, actor, action,
// object, and the digests of the object before and after (see Digest).
// Record.Canonical encodes it as one line of canonical JSON (keys sorted,
// no whitespace, a fixed time format); ParseRecord accepts only that form,
// so the bytes in a bundle are exactly the bytes that were hashed.
//
// # Storage
//
// The package holds no storage. A store implements TxStore inside the
// transaction of the use case being logged, and Append assigns sequence
// numbers, computes the tree hashes (tlog.StoredHashes, in tlog's stored
// hash layout) and writes records and hashes through it, so that a change
// and its record commit together or not at all. Reading back needs only a
// HashReader: TreeHash, NewCheckpoint, ProveRecord, ProveTree and Export
// work on any store. Package auditlog/audittest has an in-memory store for
// tests and the conformance suite every store runs.
//
// # Checkpoints and keys
//
// A Checkpoint (origin, size, root hash) is signed as a sumdb/note with an
// Ed25519 Key whose name is the origin. Its text is tlog.FormatTree's with
// the origin as first line, which is also the C2SP tlog-checkpoint format.
// LoadOrCreateKey keeps the private key in a 0600 file; the public key in
// note verifier form ("name+hash+data") is what auditors are given. After
// RotateKey, checkpoints carry the new key's hash; auditors keep both
// public keys, and a RotationRecord in the log says when the key changed.
//
// # Bundles and offline verification
//
// Export writes a bundle directory: records.jsonl (the canonical records,
// one per line, from record 0), leafhashes.bin (the leaf hashes as the
// store holds them, 32 bytes each) and checkpoint.note (the signed
// checkpoint whose size is the number of records). Verify needs only the
// bundle and the public key(s): it checks the signature, recomputes every
// leaf hash and the root from the records, checks that each line is a
// canonical record whose sequence number is its line's position, and,
// given an older checkpoint the auditor kept, that the log's first records
// still produce that checkpoint's root (so the log only grew since).
//
// When the records do not produce the signed root, Verify names the first
// bad record this way. The leaf hashes in leafhashes.bin are trusted only
// if they themselves produce the signed root hash; then each line is
// identified by finding its leaf hash among them, and the first line whose
// hash differs from the logged leaf at its position is the first bad
// record. What happened there is named by where the lines went: a line
// that is no logged record is "altered" (or "inserted", when the expected
// record follows it, or "truncated", when it is the cut-short last line);
// a line holding a later record is "reordered" when the expected record
// appears elsewhere and "missing" when it appears nowhere; a line holding
// an earlier record is "inserted"; a bundle that ends early is
// "truncated". When leafhashes.bin is absent or altered too, the signature
// covers nothing that could say which record changed, and Verify falls
// back on what the records say about themselves (the first line that does
// not parse or whose sequence number is out of place, or a short count);
// a change that leaves a well-formed record in place is then reported as a
// "mismatch" that no record is named for, narrowed by the older checkpoint
// when there is one. Recomputing is linear in the bundle and runs on all
// CPUs; locating a bad record costs a few more linear scans.
//
// # Retention
//
// Records are never updated or deleted. PastRetention lists the records
// whose five-year retention period (15 CFR 762.6) has run out as of a date.
package auditlog
