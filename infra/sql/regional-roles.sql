-- MedGenie: the roles and database of one regional stack.
--
-- Run once per region by ops, as a superuser, with psql 15 or later (it uses \getenv):
--
--   MEDGENIE_OWNER_PASSWORD=... MEDGENIE_APP_PASSWORD=... MEDGENIE_OPS_PASSWORD=... \
--   MEDGENIE_DATABASE=medgenie_region_in \
--     psql -v ON_ERROR_STOP=1 -h <host> -U <superuser> -d postgres -f infra/sql/regional-roles.sql
--
-- (psql -v owner_password=... -v app_password=... -v ops_password=... -v database=... works too.)
-- docker-compose.yml mounts this file into /docker-entrypoint-initdb.d, where the postgres image
-- runs it the same way on an empty data volume, with the passwords from the service's env.
--
-- Safe to run again: roles are created or corrected (attributes, password), the database is
-- created only when missing. It mirrors provisionDatabase() in libs/database/src/roles.ts, which
-- `npm start` and the tests use on their own Postgres; keep the two in step.
--
--   medgenie_owner  owns the database and the public schema; runs the migrations.
--   medgenie_app    what the API connects as: LOGIN, NOSUPERUSER, NOBYPASSRLS, owns nothing;
--                   its DML grants come from the migrations, so row-level security applies.
--   medgenie_ops    operators' read access: BYPASSRLS, SELECT on every table (default privileges).

\set ON_ERROR_STOP on

-- Inputs: psql variables when given with -v, otherwise the environment.
\if :{?owner_password}
\else
  \getenv owner_password MEDGENIE_OWNER_PASSWORD
\endif
\if :{?app_password}
\else
  \getenv app_password MEDGENIE_APP_PASSWORD
\endif
\if :{?ops_password}
\else
  \getenv ops_password MEDGENIE_OPS_PASSWORD
\endif
\if :{?database}
\else
  \getenv database MEDGENIE_DATABASE
\endif
\if :{?database}
\else
  \set database medgenie_region_in
\endif

\if :{?owner_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'MEDGENIE_OWNER_PASSWORD (or -v owner_password=...) is required'; END $$;
\endif
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'MEDGENIE_APP_PASSWORD (or -v app_password=...) is required'; END $$;
\endif
\if :{?ops_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'MEDGENIE_OPS_PASSWORD (or -v ops_password=...) is required'; END $$;
\endif

-- Roles: CREATE when missing, ALTER otherwise, so a re-run also resets attributes and passwords.
SELECT format('%s ROLE medgenie_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medgenie_owner') THEN 'ALTER' ELSE 'CREATE' END,
              :'owner_password')
\gexec

SELECT format('%s ROLE medgenie_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medgenie_app') THEN 'ALTER' ELSE 'CREATE' END,
              :'app_password')
\gexec

SELECT format('%s ROLE medgenie_ops WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS PASSWORD %L',
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medgenie_ops') THEN 'ALTER' ELSE 'CREATE' END,
              :'ops_password')
\gexec

-- The region's database, owned by the owner role.
SELECT format('CREATE DATABASE %I OWNER medgenie_owner', :'database')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database')
\gexec

-- Inside it (still as the superuser): the owner owns the schema, nobody else may create in it,
-- app and ops may use it, and every table the owner creates (the migrations) is readable by ops.
\connect :"database"

ALTER SCHEMA public OWNER TO medgenie_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO medgenie_app, medgenie_ops;
ALTER DEFAULT PRIVILEGES FOR ROLE medgenie_owner IN SCHEMA public GRANT SELECT ON TABLES TO medgenie_ops;
