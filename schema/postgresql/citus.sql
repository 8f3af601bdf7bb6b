-- Distributing the Kalends schema with Citus (issue 27). NOT TESTED: Citus is
-- not packaged for Debian 12; this script records how schema/postgresql/0001
-- maps onto it. Run it once on the coordinator, after kalends has created
-- the schema there (start one node against the coordinator) and before any
-- data is loaded. See docs/scale.md for which statements stay on one shard.
--
-- Every per-user table is distributed by the owning principal's id and
-- co-located with principals, so that one user's home, collections,
-- objects, time index, change logs, grants given, tokens, idempotency
-- records and jobs live on one shard and each write of one user is a
-- single-shard transaction.

CREATE EXTENSION IF NOT EXISTS citus;

-- Constraints Citus cannot keep across shards move to lookup tables
-- distributed by their own key. PgStore does not maintain these yet
-- (left for a later slice): until it does, a Citus deployment must not run
-- this part, and the global uniqueness of principal names and token hashes
-- is kept by the coordinator-only principals table of a smaller setup.
ALTER TABLE principals DROP CONSTRAINT principals_name_key;
CREATE TABLE principal_names (name text COLLATE "C" PRIMARY KEY, principal_id bigint NOT NULL);
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_token_hash_key;
CREATE TABLE token_hashes (token_hash text PRIMARY KEY, principal_id bigint NOT NULL, token_id bigint NOT NULL);
-- A grant's grantee lives on another shard: its row goes with the grantee
-- by an explicit delete in delete_user instead of a foreign key.
ALTER TABLE grants DROP CONSTRAINT grants_grantee_id_fkey;
-- The distribution column cannot change: a job outliving its principal keeps
-- the owner id, and its handler finds the principal gone.
DROP TRIGGER jobs_owner_deleted ON principals;

-- The triggers (usage counter, home change log) touch rows of the same
-- owner only, hence of the same shard group.
SET citus.enable_unsafe_triggers = on;

SELECT create_distributed_table('principals', 'id');
SELECT create_distributed_table('collections', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('objects', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('changes', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('dead_properties', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('instances', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('room_holds', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('home_changes', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('jobs', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('access_tokens', 'principal_id', colocate_with => 'principals');
SELECT create_distributed_table('idempotency_records', 'principal_id', colocate_with => 'principals');
SELECT create_distributed_table('grants', 'owner_id', colocate_with => 'principals');
-- 0002: a registration on another user's collection lives in its owner's
-- shard; the collection's delete trigger reaches it across shards.
SELECT create_distributed_table('push_subscriptions', 'owner_id', colocate_with => 'principals');
-- 0003, 0004: a principal's notifications and an object's reminder index go
-- with their owner; a delivery record is looked up by its key alone.
SELECT create_distributed_table('notifications', 'principal_id', colocate_with => 'principals');
SELECT create_distributed_table('reminder_index', 'owner_id', colocate_with => 'principals');
SELECT create_distributed_table('job_deliveries', 'key');
-- 0007: a delegator's proxy groups go with the delegator; "whom am I a
-- delegate of" fans out by delegations_by_delegate.
SELECT create_distributed_table('delegations', 'delegator_id', colocate_with => 'principals');
-- 0006: a calendar's public feeds go with its owner. The feed URL names no
-- owner: under Citus the lookup by token_hash fans out, and its UNIQUE must
-- become (owner_id, token_hash) with the secret's randomness keeping it unique.
SELECT create_distributed_table('public_feeds', 'owner_id', colocate_with => 'principals');
-- 0009: a user's limits go with the user.
SELECT create_distributed_table('user_limits', 'principal_id', colocate_with => 'principals');
SELECT create_distributed_table('principal_names', 'name');
SELECT create_distributed_table('token_hashes', 'token_hash');

-- Small, read everywhere, written once: the schema version.
SELECT create_reference_table('kalends_schema');
