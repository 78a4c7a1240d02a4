-- tollgate schema 0009 (PostgreSQL): a user's email is unique within its
-- organization, no longer across all of them. A global unique email let
-- any exporter's administrator learn, by creating a user, whether an
-- address was in use in any other organization (issue 17 §2). Signing in
-- by email tries each user with the address (auth.Authenticator.Login).
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ADD CONSTRAINT users_org_email_key UNIQUE (org_id, email);
CREATE INDEX users_email_idx ON users (email);
