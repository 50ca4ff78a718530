//! Shared by the end-to-end tests of the `kusei` binary.
#![allow(dead_code)]

use std::process::Command;

/// The real binary, isolated from a developer's own configuration.
pub fn kusei() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kusei"));
    for k in [
        "KUSEI_DB",
        "KUSEI_ADDR",
        "KUSEI_LOG",
        "KUSEI_CONFIG",
        "KUSEI_LOG_FORMAT",
    ] {
        c.env_remove(k);
    }
    c
}
