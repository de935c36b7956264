//! Rulesets: TOML files or directories of them, parsed and validated here so the CLI, the
//! Python API and the scanner all agree on what a ruleset means.

mod load;
mod model;

pub use load::{bundled_ruleset_names, validate_claims, DEFAULT_BUNDLED};
pub use model::{
    Amend, Check, Claim, Clause, Compound, CompoundList, Condition, Group, LangScope, Law, MatchMode, NamedList, Near,
    Reference, Rule, Ruleset, Severity,
};
