//! End-to-end tests of Yui against real `yui-node` processes on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::panic)]

mod analytics;
mod bad_input;
mod bad_peers;
mod cli_output;
mod contracts;
mod crash;
mod crash_loop;
mod credentials;
mod disk_full;
mod faults;
mod gossip_relay;
mod governance;
mod grpc;
mod jobs;
mod rejoin;
mod snapshot;
mod state_history;
mod submit_stream;
mod tls;
mod town_year;
