-- tessera SQLite schema, version 4: the token endpoint's secrets lookup reads only the index.
--
-- A client that is not in the server's cache costs one point read (auth::ClientAuthenticator::load):
-- the client's row, then its secrets. With the index on (client_id, id) alone, each secret also
-- needed its row in `secrets`: three random leaf pages per cold request, two with this index, which
-- carries every column the lookup reads. It costs about 40 bytes more per secret (a database of
-- 1,000,000 clients grew from 376 to 414 MB). Measured on that database with SQLite alone, random
-- lookups, the reader cache of SqliteOptions: 3.66 page reads and 25 us per lookup before, 1.99
-- and 13.5 us after.
DROP INDEX secrets_by_client;
CREATE INDEX secrets_by_client ON secrets (client_id, id, hash, status, expire_time);
