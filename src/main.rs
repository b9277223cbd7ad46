//! `govcloud` binary; see [`govcloud::cli`].
fn main() {
    std::process::exit(govcloud::cli::main());
}
