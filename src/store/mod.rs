//! Storage: ceremony state in Workers KV, users and passkeys in D1.
//!
//! Intent-named methods only; SQL and KV keys never leave this module.

pub mod challenges;
pub mod db;
pub mod rows;

pub use challenges::Challenges;
pub use db::{Claim, Db, Guarded};
pub use rows::{PasskeyRow, UserRow};
