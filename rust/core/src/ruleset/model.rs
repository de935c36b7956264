//! The ruleset as users write it (TOML) and as the scanner reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::normalise::View;

/// How serious a finding is; ordered, so `--fail-on high` means high or critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not a violation by itself.
    Info,
    /// Minor.
    Low,
    /// The default.
    Medium,
    /// Clear violation.
    High,
    /// Illegal content that needs action now.
    Critical,
}

impl Severity {
    /// The name used in rulesets and findings.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Whether a term or pattern must stand as a whole word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Not preceded or followed by a letter, digit or combining mark (in the view text).
    #[default]
    Word,
    /// Anywhere, even inside a word.
    Substring,
}

/// Who a clause of the Code binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Social network users.
    Users,
    /// Officials, cadres and employees of state agencies.
    Officials,
    /// State agencies' own accounts.
    Agencies,
    /// Social network service providers.
    Providers,
}

/// How a clause can be checked; an empty list means it cannot be assessed by scanning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// By scanning post text.
    Text,
    /// By account metadata (real name, verification, account type).
    Metadata,
}

/// A binding law that a clause of the (non-binding) Code points to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    /// Short id used in references, e.g. `decree-15-2020`.
    pub id: String,
    /// Title in English.
    pub title: String,
    /// Title in Vietnamese.
    #[serde(default)]
    pub title_vi: String,
    /// Date it took effect, `YYYY-MM-DD`.
    #[serde(default)]
    pub effective: Option<String>,
    /// Date it stopped applying, `YYYY-MM-DD`.
    #[serde(default)]
    pub until: Option<String>,
    /// Id of the law that replaced it.
    #[serde(default)]
    pub superseded_by: Option<String>,
    /// Where to read it.
    #[serde(default)]
    pub url: Option<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

/// A pointer from a clause to a binding law.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// A `[[law]]` id.
    pub law: String,
    /// Article and clause, e.g. `Art. 101(1)`.
    #[serde(default)]
    pub article: Option<String>,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// A clause of the Code of Conduct.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Id, e.g. `4.6c`.
    pub id: String,
    /// Title in English.
    pub title: String,
    /// Title in Vietnamese.
    #[serde(default)]
    pub title_vi: String,
    /// What it asks.
    #[serde(default)]
    pub description: String,
    /// The groups it binds.
    #[serde(default)]
    pub binds: Vec<Group>,
    /// How it can be checked (empty: not assessable by scanning).
    #[serde(default = "text_check")]
    pub check: Vec<Check>,
    /// Default severity of its rules.
    #[serde(default = "medium")]
    pub severity: Severity,
    /// Binding laws behind it.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// EU DSA statement-of-reasons category, for auditors abroad.
    #[serde(default)]
    pub dsa_category: Option<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

fn text_check() -> Vec<Check> {
    vec![Check::Text]
}

fn medium() -> Severity {
    Severity::Medium
}

/// Terms and patterns used by a condition (`allow`, `unless`). In TOML either a list of terms or
/// a table `{ terms = [...], patterns = [...], lists = [...] }`; the terms and patterns of the
/// named `[[list]]`s are added to the condition's own when the ruleset loads.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Condition {
    /// Literal terms.
    pub terms: Vec<String>,
    /// Hyperscan patterns.
    pub patterns: Vec<String>,
    /// Ids of the shared `[[list]]`s merged into `terms` and `patterns`.
    pub lists: Vec<String>,
}

impl Condition {
    /// Whether it has nothing to match.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.patterns.is_empty()
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            #[serde(default)]
            terms: Vec<String>,
            #[serde(default)]
            patterns: Vec<String>,
            #[serde(default)]
            lists: Vec<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Terms(Vec<String>),
            Table(Table),
        }
        match Repr::deserialize(deserializer) {
            Ok(Repr::Terms(terms)) => Ok(Condition {
                terms,
                ..Condition::default()
            }),
            Ok(Repr::Table(t)) => Ok(Condition {
                terms: t.terms,
                patterns: t.patterns,
                lists: t.lists,
            }),
            Err(_) => Err(serde::de::Error::custom(
                "expected a list of terms or a table { terms = [...], patterns = [...], lists = [...] }",
            )),
        }
    }
}

/// A named list of terms and patterns that several rules' conditions share (`[[list]]`), so a
/// veto list is kept in one place: `unless = { lists = ["news-law-warning"] }`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedList {
    /// Id used in `lists = [...]`.
    pub id: String,
    /// What it holds.
    #[serde(default)]
    pub description: String,
    /// Literal terms.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Hyperscan patterns.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

/// The innocent compounds and collocations of one single-syllable term (`[[compound]]`): a
/// match of the term inside one of them is dropped, in every rule that has the term.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompoundList {
    /// The term as rules write it (compared after case folding), e.g. `lũ`.
    pub term: String,
    /// Compounds containing the term, e.g. `lũ lụt`, `mùa lũ`.
    #[serde(default)]
    pub compounds: Vec<String>,
    /// The term is also a syllable of proper names (`Ngu Thế Nam`, `Kim Lũ`, `Terence Tao`): a
    /// match written in title case that does not begin a sentence is part of a name and dropped.
    #[serde(default)]
    pub names: bool,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

/// A compound that excuses one term of a rule (compiled from the `[[compound]]` lists).
#[derive(Clone, Debug, Serialize)]
pub struct Compound {
    /// Index of the term in the rule's `terms`.
    pub term: u32,
    /// The compound, as written in the list.
    pub text: String,
}

/// Additions to the conditions of a rule the ruleset does not own (`[[amend]]`): how an
/// extending ruleset (a provider's directory, or the file `conduct-scan rules suggest` writes)
/// tightens a bundled rule without copying it. Its terms and patterns are appended to the
/// rule's own `allow` and `unless`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amend {
    /// Id of the rule to amend (of this ruleset or the one it extends).
    pub rule: String,
    /// Added to the rule's `allow`.
    #[serde(default)]
    pub allow: Condition,
    /// Added to the rule's `unless`.
    #[serde(default)]
    pub unless: Condition,
    /// Why (free text; `rules suggest` writes the review evidence here).
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

/// A known debunked claim (`[[claim]]`): posts that restate it, reworded, are findings under
/// its clause (4.6d by default). Matched by word-shingle similarity in the fold view
/// ([`crate::similarity`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Unique id among claims, e.g. `covid.5g`.
    pub id: String,
    /// The claim as it circulates (one phrasing).
    #[serde(default)]
    pub text: Option<String>,
    /// Several phrasings of the same claim; a post is compared with each.
    #[serde(default)]
    pub phrasings: Vec<String>,
    /// The fact-checkers' verdict, e.g. `false`, `misleading`.
    #[serde(default = "false_verdict")]
    pub verdict: String,
    /// Where the debunking is published.
    #[serde(default)]
    pub source_url: Option<String>,
    /// Date it was debunked, `YYYY-MM-DD`.
    #[serde(default)]
    pub debunked: Option<String>,
    /// The clause a restatement signals (default `4.6d`, fake news).
    #[serde(default = "fake_news_clause")]
    pub clause: String,
    /// Severity (default: the clause's).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

fn false_verdict() -> String {
    "false".into()
}

fn fake_news_clause() -> String {
    "4.6d".into()
}

impl Claim {
    /// Every phrasing: `text` first, then `phrasings`.
    pub fn all_phrasings(&self) -> impl Iterator<Item = &str> {
        self.text
            .iter()
            .map(String::as_str)
            .chain(self.phrasings.iter().map(String::as_str))
    }

    /// The claim's severity (resolved from its clause when loading).
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(Severity::Medium)
    }
}

/// Which posts a rule with a `lang` tag applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangScope {
    /// Posts guessed to be in the rule's language, and posts whose language is undetermined.
    #[default]
    Post,
    /// Every post, whatever its language (for terms that are the same in every language).
    Any,
}

/// Other terms that must occur close to a match for it to count.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    /// Literal terms.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Hyperscan patterns.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// At most this many words between the match and the nearby term.
    #[serde(default = "default_within")]
    pub within: u32,
}

fn default_within() -> u32 {
    5
}

/// A rule: terms and patterns that signal a clause, with the views they are matched in and the
/// per-post conditions that confirm or veto them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, e.g. `vi.vulgar.core`.
    pub id: String,
    /// The clause it signals.
    pub clause: String,
    /// What it catches.
    #[serde(default)]
    pub description: String,
    /// Severity (default: the clause's).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// How sure a match is, in (0, 1].
    #[serde(default = "one")]
    pub confidence: f32,
    /// Confidence of matches in particular views (e.g. lower for `fold`).
    #[serde(default)]
    pub view_confidence: BTreeMap<View, f32>,
    /// Literal terms, normalised through each view before matching.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Hyperscan regular expressions, literal characters normalised through each view.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// `word` (default) or `substring`.
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    /// Views to match in (default `["casefold"]`).
    #[serde(default = "default_views")]
    pub views: Vec<View>,
    /// A match lying inside a match of one of these is dropped (`lon` inside `lon bia`).
    #[serde(default)]
    pub allow: Condition,
    /// A match of one of these anywhere in the post vetoes the rule for that post.
    #[serde(default)]
    pub unless: Condition,
    /// When set, a match counts only with one of these within `within` words.
    #[serde(default)]
    pub near: Option<Near>,
    /// When set, the rule's words are contemptuous in informal writing only: a post that reads
    /// as edited prose ([`crate::verify::is_edited_prose`]) and has no hit of these informal
    /// cues (particles, teencode, emoticons, `!`) does not trigger it.
    #[serde(default)]
    pub informal: Option<Condition>,
    /// The rule fires only with at least this many matches in the post.
    #[serde(default = "one_u32")]
    pub min_count: u32,
    /// Texts the rule must flag.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts the rule must not flag.
    #[serde(default)]
    pub counter_examples: Vec<String>,
    /// Language tag (`vi`, `en`): the language of the data the rule was written and tuned on.
    #[serde(default)]
    pub lang: Option<String>,
    /// `post` (default): with a `lang`, the rule does not fire on a post guessed to be in
    /// another language; `any`: it fires on every post.
    #[serde(default)]
    pub lang_scope: LangScope,
    /// Innocent compounds of the rule's terms, from the ruleset's `[[compound]]` lists.
    #[serde(default, skip_deserializing)]
    pub compounds: Vec<Compound>,
    /// Indices of the rule's terms that are also syllables of names (`[[compound]]` with
    /// `names = true`): their title-case matches inside a sentence are dropped.
    #[serde(default, skip_deserializing)]
    pub name_terms: Vec<u32>,
    /// Innocent compounds of the terms of the rule's `informal` cues (`[[compound]]` lists for
    /// `á`, `nha`): a cue inside one of them (`châu Á`, `Tây Ban Nha`) is not a cue.
    #[serde(default, skip)]
    pub informal_compounds: Vec<Compound>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

fn one() -> f32 {
    1.0
}

fn one_u32() -> u32 {
    1
}

fn default_views() -> Vec<View> {
    vec![View::Casefold]
}

impl Rule {
    /// The rule's severity (resolved from its clause when loading).
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(Severity::Medium)
    }

    /// Whether the rule may fire on a post guessed to be in `post` language.
    pub fn admits(&self, post: crate::lang::Lang) -> bool {
        match (&self.lang, self.lang_scope) {
            (Some(lang), LangScope::Post) => post.admits(lang),
            _ => true,
        }
    }

    /// Confidence of a match in `view`.
    pub fn confidence_in(&self, view: View) -> f32 {
        self.view_confidence.get(&view).copied().unwrap_or(self.confidence)
    }
}

/// The `[ruleset]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub id: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub allow: Vec<String>,
}

/// A validated ruleset.
#[derive(Clone, Debug, Serialize)]
pub struct Ruleset {
    /// Id, e.g. `vn-social-code-2021`.
    pub id: String,
    /// Version string.
    pub version: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Notes (sources, credits).
    pub notes: String,
    /// Id and version of the ruleset this one extends, if any.
    pub extends: Option<String>,
    /// Laws referenced by clauses.
    pub laws: Vec<Law>,
    /// Clauses of the Code.
    pub clauses: Vec<Clause>,
    /// Enabled rules.
    pub rules: Vec<Rule>,
    /// Enabled account rules (`[[account_rule]]`), checked against an accounts table.
    pub account_rules: Vec<AccountRule>,
    /// Rule ids switched off by an extending ruleset.
    pub disabled: Vec<String>,
    /// The `[[amend]]`s applied to rules (already merged into their conditions).
    pub amends: Vec<Amend>,
    /// Allow-list: a finding lying inside one of these terms is dropped, whatever the rule.
    pub allow: Vec<String>,
    /// Shared term lists (`[[list]]`), already merged into the conditions that name them.
    pub lists: Vec<NamedList>,
    /// Innocent compounds per term (`[[compound]]`), already compiled into the rules.
    pub compound_lists: Vec<CompoundList>,
    /// Known debunked claims (`[[claim]]`), matched by similarity rather than by terms.
    pub claims: Vec<Claim>,
    /// SHA-256 over every file's name and contents, for the audit manifest.
    pub sha256: String,
    /// The files it was read from.
    pub files: Vec<String>,
}

impl Ruleset {
    /// The same ruleset with only the rules whose ids are in `ids` (in their order here), and
    /// its allow-list: what `rules profile` times one rule at a time with.
    pub fn select(&self, ids: &[&str]) -> Ruleset {
        Ruleset {
            rules: self
                .rules
                .iter()
                .filter(|r| ids.contains(&r.id.as_str()))
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    /// The account rules' terms and patterns as post rules (same ids), with this ruleset's
    /// clauses and laws and no allow-list: what scans the accounts' text fields, through the
    /// same views and Hyperscan databases as posts.
    pub fn account_text_ruleset(&self) -> Ruleset {
        Ruleset {
            rules: self.account_rules.iter().filter_map(AccountRule::text_rule).collect(),
            account_rules: Vec::new(),
            allow: Vec::new(),
            ..self.clone()
        }
    }

    /// The clause with this id.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The ruleset as JSON (for the Python layer and `rules list --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("ruleset serialises")
    }
}

/// The built-in account checks an `[[account_rule]]` can call (`check = "..."`).
pub const ACCOUNT_CHECKS: [&str; 4] = ["real_name", "missing_contact", "near_copy", "unverified"];

/// The account fields rules can look at (column names are configurable; these are the roles).
pub const ACCOUNT_FIELDS: [&str; 7] = [
    "display_name",
    "username",
    "bio",
    "account_type",
    "verified",
    "website",
    "contact",
];

/// Accounts a rule does not apply to: every key given must hold (`account_types` and
/// `verified`), e.g. `{ account_types = ["agency"], verified = true }` spares verified agencies.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountExempt {
    /// Account types (case-insensitive; `agency` and `official` also cover their synonyms).
    #[serde(default)]
    pub account_types: Vec<String>,
    /// The `verified` value.
    #[serde(default)]
    pub verified: Option<bool>,
}

/// A rule over an accounts table (`[[account_rule]]`): terms and patterns matched in account
/// fields through the post rules' views, and/or a built-in check, on the accounts that pass
/// the conditions on `account_type` and `verified`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRule {
    /// Unique id (among rules and account rules), e.g. `acct.impersonation.state-name`.
    pub id: String,
    /// The clause it signals.
    pub clause: String,
    /// What it catches.
    #[serde(default)]
    pub description: String,
    /// Severity (default: the clause's).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// How sure a finding is, in (0, 1]; built-in checks scale it by their own certainty.
    #[serde(default = "one")]
    pub confidence: f32,
    /// Confidence of matches in particular views.
    #[serde(default)]
    pub view_confidence: BTreeMap<View, f32>,
    /// Text fields whose values the terms and patterns (or the check) look at.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Literal terms.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Hyperscan regular expressions.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// `word` (default) or `substring`.
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    /// Views to match in (default `["casefold"]`).
    #[serde(default = "default_views")]
    pub views: Vec<View>,
    /// A match lying inside a match of one of these is dropped.
    #[serde(default)]
    pub allow: Condition,
    /// A match of one of these anywhere in the field vetoes the rule for that field.
    #[serde(default)]
    pub unless: Condition,
    /// The built-in check to run (one of [`ACCOUNT_CHECKS`]).
    #[serde(default)]
    pub check: Option<String>,
    /// Parameters of the check (numbers, strings, booleans).
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// Only accounts of these types (case-insensitive); empty: every type.
    #[serde(default)]
    pub account_types: Vec<String>,
    /// Only accounts whose `verified` is this.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Accounts spared by the rule.
    #[serde(default)]
    pub exempt: Option<AccountExempt>,
    /// Accounts (tables of field values) the rule must flag.
    #[serde(default)]
    pub examples: Vec<BTreeMap<String, toml::Value>>,
    /// Accounts the rule must not flag.
    #[serde(default)]
    pub counter_examples: Vec<BTreeMap<String, toml::Value>>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// File it was defined in.
    #[serde(default, skip_deserializing)]
    pub file: String,
}

impl AccountRule {
    /// The rule's terms and patterns as a post rule with the same id, clause, views and
    /// conditions, or `None` when it has neither (a check-only rule).
    pub fn text_rule(&self) -> Option<Rule> {
        if self.terms.is_empty() && self.patterns.is_empty() {
            return None;
        }
        Some(Rule {
            id: self.id.clone(),
            clause: self.clause.clone(),
            description: self.description.clone(),
            severity: self.severity,
            confidence: self.confidence,
            view_confidence: self.view_confidence.clone(),
            terms: self.terms.clone(),
            patterns: self.patterns.clone(),
            match_mode: self.match_mode,
            views: self.views.clone(),
            allow: self.allow.clone(),
            unless: self.unless.clone(),
            near: None,
            informal: None,
            min_count: 1,
            examples: Vec::new(),
            counter_examples: Vec::new(),
            lang: None,
            lang_scope: LangScope::Any,
            compounds: Vec::new(),
            informal_compounds: Vec::new(),
            name_terms: Vec::new(),
            tags: self.tags.clone(),
            notes: self.notes.clone(),
            file: self.file.clone(),
        })
    }
}
