//! Empty: present so that the `[build-dependencies]` pin of syn (a host dependency, through the
//! proc macros) takes part in feature resolution. See Cargo.toml.
fn main() {}
