//! The `socialcrm` binary. All of it lives in the library (`src/lib.rs` explains the layout) so
//! that integration tests can drive the same code.

fn main() {
    std::process::exit(socialcrm::run(std::env::args_os()));
}
