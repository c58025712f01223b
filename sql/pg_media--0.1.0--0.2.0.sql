/* pg_media--0.1.0--0.2.0.sql: upgrade from 0.1.0 (ALTER EXTENSION pg_media UPDATE TO '0.2.0') */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION pg_media UPDATE TO '0.2.0'" to load this file. \quit

/*
 * 0.1.0 made media_files by dynamic SQL, choosing its options by server
 * version; 0.2.0 requires PostgreSQL 15 and creates it plainly.  Setting the
 * options again leaves a view made by 0.1.0 on any server exactly as 0.2.0
 * makes it.
 */
ALTER VIEW @extschema@.media_files SET (security_barrier, security_invoker);
