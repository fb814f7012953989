//! Integration tests: a real server on port 0, real HTTP and WebSocket, on
//! SQLite, or on PostgreSQL when `HELPDOCK_TEST_POSTGRES_URL` is set (the
//! same tests; `scripts/test.sh` runs both).

mod abuse;
mod cli;
mod cluster;
mod console;
mod files;
mod mail;
mod secrets;
mod support;
mod tickets;
mod visitor;
