//! Reading rulesets: files, directories, the bundled ones, and rulesets that extend others.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::model::{
    AccountRule, Amend, Claim, Clause, Compound, CompoundList, Condition, Law, Meta, NamedList, Rule, Ruleset,
    Severity, ACCOUNT_CHECKS, ACCOUNT_FIELDS,
};
use crate::error::{Error, Problem, Result};
use crate::matching::{validate_pattern, CheckBudget, HsPattern};
use crate::normalise::pattern::normalise_pattern;
use crate::normalise::{normalise, View};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// The ruleset `Ruleset::bundled()` loads.
pub const DEFAULT_BUNDLED: &str = "vn-social-code-2021";

/// Prefix of bundled file names in messages.
const BUNDLED_PREFIX: &str = "<bundled>/";

/// Names of the rulesets compiled into the library.
pub fn bundled_ruleset_names() -> Vec<String> {
    let mut names: Vec<String> = bundled::BUNDLED_FILES
        .iter()
        .filter_map(|(path, _)| path.split_once('/').map(|(dir, _)| dir.to_owned()))
        .collect();
    names.dedup();
    names
}

/// One file's text and the name used for it in messages.
struct Source {
    name: String,
    text: String,
    /// Directory that relative `extends` paths are resolved against.
    dir: Option<PathBuf>,
}

/// What one or more files declare, before merging and validation.
#[derive(Default)]
struct Parts {
    meta: Option<(Meta, String)>,
    laws: Vec<Law>,
    clauses: Vec<Clause>,
    rules: Vec<Rule>,
    account_rules: Vec<AccountRule>,
    lists: Vec<NamedList>,
    compound_lists: Vec<CompoundList>,
    amends: Vec<Amend>,
    claims: Vec<Claim>,
}

impl Ruleset {
    /// Parses a ruleset given as TOML text; `name` is used in error messages.
    pub fn from_toml(text: &str, name: &str) -> Result<Ruleset> {
        build(
            vec![Source {
                name: name.to_owned(),
                text: text.to_owned(),
                dir: None,
            }],
            0,
        )
    }

    /// Loads a ruleset file, or a directory of `.toml` files (read recursively, in name order).
    pub fn load(path: &Path) -> Result<Ruleset> {
        build(read_sources(path)?, 0)
    }

    /// The bundled ruleset [`DEFAULT_BUNDLED`].
    pub fn bundled() -> Result<Ruleset> {
        Ruleset::bundled_named(DEFAULT_BUNDLED)
    }

    /// A bundled ruleset by name.
    pub fn bundled_named(name: &str) -> Result<Ruleset> {
        build(bundled_sources(name)?, 0)
    }
}

fn bundled_sources(name: &str) -> Result<Vec<Source>> {
    let prefix = format!("{name}/");
    let sources: Vec<Source> = bundled::BUNDLED_FILES
        .iter()
        .filter(|(path, _)| path.starts_with(&prefix))
        .map(|(path, text)| Source {
            name: format!("{BUNDLED_PREFIX}{path}"),
            text: (*text).to_owned(),
            dir: None,
        })
        .collect();
    if sources.is_empty() {
        let known = bundled_ruleset_names().join(", ");
        return Err(Error::ruleset(
            format!("{BUNDLED_PREFIX}{name}"),
            None,
            format!("no bundled ruleset named `{name}` (bundled: {known})"),
        ));
    }
    Ok(sources)
}

fn read_sources(path: &Path) -> Result<Vec<Source>> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| Error::ruleset(&shown, None, format!("cannot read: {e}")))?;
    let mut files = Vec::new();
    if meta.is_dir() {
        collect_toml(path, &mut files).map_err(|e| Error::ruleset(&shown, None, format!("cannot read: {e}")))?;
        files.sort();
        if files.is_empty() {
            return Err(Error::ruleset(&shown, None, "directory holds no .toml files"));
        }
    } else {
        files.push(path.to_path_buf());
    }
    files
        .into_iter()
        .map(|file| {
            let name = file.display().to_string();
            let bytes = fs::read(&file).map_err(|e| Error::ruleset(&name, None, format!("cannot read: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::ruleset(
                    &name,
                    None,
                    format!("not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
                )
            })?;
            let dir = file.parent().map(Path::to_path_buf);
            Ok(Source { name, text, dir })
        })
        .collect()
}

fn collect_toml(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// How deep `extends` chains may go (a cycle would otherwise recurse forever).
const MAX_EXTENDS_DEPTH: usize = 8;

fn build(sources: Vec<Source>, depth: usize) -> Result<Ruleset> {
    let mut problems = Vec::new();
    let mut parts = Parts::default();
    for source in &sources {
        parse_file(source, &mut parts, &mut problems);
    }
    let mut hasher = Sha256::new();
    for source in &sources {
        hasher.update(source.name.rsplit('/').next().unwrap_or_default().as_bytes());
        hasher.update([0]);
        hasher.update(source.text.as_bytes());
        hasher.update([0]);
    }
    let files: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let Some((meta, meta_file)) = parts.meta.take() else {
        if problems.is_empty() {
            let file = files.first().cloned().unwrap_or_default();
            problems.push(Problem {
                file,
                item: None,
                reason: "no [ruleset] table (id, version, title)".into(),
            });
        }
        return Err(Error::Ruleset(problems));
    };

    // Extending: the base's rules (minus disabled ones), clauses, laws and allow-list come first.
    let mut base: Option<Ruleset> = None;
    if let Some(target) = &meta.extends {
        if depth >= MAX_EXTENDS_DEPTH {
            problems.push(problem(&meta_file, None, "`extends` chain too deep (a cycle?)"));
        } else {
            let dir = sources.iter().find(|s| s.name == meta_file).and_then(|s| s.dir.clone());
            match resolve_extends(target, dir.as_deref()).and_then(|s| build(s, depth + 1)) {
                Ok(b) => base = Some(b),
                Err(Error::Ruleset(mut inner)) => problems.append(&mut inner),
                Err(e) => problems.push(problem(&meta_file, None, e.to_string())),
            }
        }
    }
    let mut ruleset = Ruleset {
        id: meta.id.clone(),
        version: meta.version.clone(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        notes: meta.notes.clone(),
        extends: None,
        laws: Vec::new(),
        clauses: Vec::new(),
        rules: Vec::new(),
        account_rules: Vec::new(),
        disabled: meta.disable.clone(),
        amends: Vec::new(),
        allow: Vec::new(),
        lists: Vec::new(),
        compound_lists: Vec::new(),
        claims: Vec::new(),
        sha256: String::new(),
        files,
    };
    if let Some(base) = base {
        hasher.update(base.sha256.as_bytes());
        ruleset.extends = Some(format!("{} {}", base.id, base.version));
        let known: HashSet<&str> = base
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(base.account_rules.iter().map(|r| r.id.as_str()))
            .collect();
        for id in &meta.disable {
            if !known.contains(id.as_str()) {
                problems.push(problem(
                    &meta_file,
                    None,
                    format!("disable: no rule `{id}` in `{}`", base.id),
                ));
            }
        }
        ruleset.laws = base.laws;
        ruleset.clauses = base.clauses;
        ruleset.rules = base
            .rules
            .into_iter()
            .filter(|r| !meta.disable.contains(&r.id))
            .collect();
        ruleset.account_rules = base
            .account_rules
            .into_iter()
            .filter(|r| !meta.disable.contains(&r.id))
            .collect();
        ruleset.allow = base.allow;
        ruleset.lists = base.lists;
        ruleset.compound_lists = base.compound_lists;
        ruleset.claims = base.claims;
        ruleset.disabled.extend(base.disabled);
        ruleset.amends = base.amends;
    } else if !meta.disable.is_empty() {
        problems.push(problem(&meta_file, None, "`disable` needs `extends`"));
    }
    ruleset.laws.extend(parts.laws);
    ruleset.clauses.extend(parts.clauses);
    ruleset.lists.extend(parts.lists);
    ruleset.compound_lists.extend(parts.compound_lists);
    ruleset.claims.extend(parts.claims);
    // The base's rules were expanded when it loaded; only this ruleset's own rules name lists.
    let mut own_rules = parts.rules;
    expand_lists(&ruleset.lists, &mut own_rules, &mut problems);
    ruleset.rules.extend(own_rules);
    apply_amends(&mut ruleset, parts.amends, &mut problems);
    let mut own_account_rules = parts.account_rules;
    expand_account_lists(&ruleset.lists, &mut own_account_rules, &mut problems);
    ruleset.account_rules.extend(own_account_rules);
    attach_compounds(&mut ruleset, &mut problems);
    for term in &meta.allow {
        if term.trim().is_empty() {
            problems.push(problem(&meta_file, None, "allow: empty term"));
        }
    }
    ruleset.allow.extend(meta.allow.iter().cloned());
    ruleset.sha256 = hex(&hasher.finalize());
    if ruleset.id.trim().is_empty() {
        problems.push(problem(&meta_file, None, "[ruleset] id is empty"));
    }

    validate(&mut ruleset, &mut problems);
    let clauses = ruleset.clauses.clone();
    let rule_ids: Vec<String> = ruleset.rules.iter().map(|r| r.id.clone()).collect();
    validate_claims(&mut ruleset.claims, &clauses, &rule_ids, &mut problems);
    if problems.is_empty() {
        Ok(ruleset)
    } else {
        Err(Error::Ruleset(problems))
    }
}

fn resolve_extends(target: &str, dir: Option<&Path>) -> Result<Vec<Source>> {
    if target == "bundled" {
        return bundled_sources(DEFAULT_BUNDLED);
    }
    if let Some(name) = target.strip_prefix("bundled:") {
        return bundled_sources(name);
    }
    let path = match dir {
        Some(dir) => dir.join(target),
        None => PathBuf::from(target),
    };
    read_sources(&path)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn problem(file: &str, item: Option<&str>, reason: impl Into<String>) -> Problem {
    Problem {
        file: file.to_owned(),
        item: item.map(str::to_owned),
        reason: reason.into(),
    }
}

/// The line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse_file(source: &Source, parts: &mut Parts, problems: &mut Vec<Problem>) {
    let name = source.name.as_str();
    let table: toml::Table = match toml::from_str(&source.text) {
        Ok(t) => t,
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!("line {}: ", line_of(&source.text, s.start)))
                .unwrap_or_default();
            problems.push(problem(name, None, format!("invalid TOML: {at}{}", e.message().trim())));
            return;
        }
    };
    for (key, value) in table {
        match key.as_str() {
            "ruleset" => match value.try_into::<Meta>() {
                Ok(meta) => {
                    if let Some((_, first)) = &parts.meta {
                        problems.push(problem(
                            name,
                            None,
                            format!("second [ruleset] table (the first is in {first})"),
                        ));
                    } else {
                        parts.meta = Some((meta, name.to_owned()));
                    }
                }
                Err(e) => problems.push(problem(name, Some("[ruleset]"), clean(e))),
            },
            "law" => items(name, "law", value, problems, |mut law: Law| {
                law.file = name.to_owned();
                parts.laws.push(law);
            }),
            "clause" => items(name, "clause", value, problems, |mut clause: Clause| {
                clause.file = name.to_owned();
                parts.clauses.push(clause);
            }),
            "rule" => items(name, "rule", value, problems, |mut rule: Rule| {
                rule.file = name.to_owned();
                parts.rules.push(rule);
            }),
            "account_rule" => items(name, "account_rule", value, problems, |mut rule: AccountRule| {
                rule.file = name.to_owned();
                parts.account_rules.push(rule);
            }),
            "list" => items(name, "list", value, problems, |mut list: NamedList| {
                list.file = name.to_owned();
                parts.lists.push(list);
            }),
            "compound" => items(name, "compound", value, problems, |mut list: CompoundList| {
                list.file = name.to_owned();
                parts.compound_lists.push(list);
            }),
            "amend" => items(name, "amend", value, problems, |mut amend: Amend| {
                amend.file = name.to_owned();
                parts.amends.push(amend);
            }),
            "claim" => items(name, "claim", value, problems, |mut claim: Claim| {
                claim.file = name.to_owned();
                parts.claims.push(claim);
            }),
            other => problems.push(problem(
                name,
                None,
                format!(
                    "unknown top-level key `{other}` (expected [ruleset], [[law]], [[clause]], [[rule]], [[account_rule]], [[list]], [[compound]], [[amend]], [[claim]])"
                ),
            )),
        }
    }
}

/// Deserialises each table of an array of tables, naming the item by its id in errors.
fn items<T: DeserializeOwned>(
    file: &str,
    kind: &str,
    value: toml::Value,
    problems: &mut Vec<Problem>,
    mut accept: impl FnMut(T),
) {
    let toml::Value::Array(array) = value else {
        problems.push(problem(
            file,
            None,
            format!("`{kind}` must be an array of tables: write [[{kind}]]"),
        ));
        return;
    };
    for (i, item) in array.into_iter().enumerate() {
        let label = match item.get("id").and_then(toml::Value::as_str) {
            Some(id) => format!("{kind} {id}"),
            None => format!("{kind} #{}", i + 1),
        };
        match item.try_into::<T>() {
            Ok(value) => accept(value),
            Err(e) => problems.push(problem(file, Some(&label), clean(e))),
        }
    }
}

/// Adds the terms and patterns of the `[[list]]`s a rule's `allow` and `unless` name to the
/// condition's own.
fn expand_lists(lists: &[NamedList], rules: &mut [Rule], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for list in lists {
        if let Some(first) = seen.insert(list.id.as_str(), list.file.as_str()) {
            problems.push(problem(
                &list.file,
                Some(&format!("list {}", list.id)),
                format!("duplicate list id (first defined in {first})"),
            ));
        }
        if list.terms.is_empty() && list.patterns.is_empty() {
            problems.push(problem(
                &list.file,
                Some(&format!("list {}", list.id)),
                "has neither terms nor patterns",
            ));
        }
    }
    let by_id = lists_by_id(lists);
    for rule in rules {
        let item = format!("rule {}", rule.id);
        let informal = rule.informal.as_mut().map(|c| ("informal", c));
        for (key, condition) in [("allow", &mut rule.allow), ("unless", &mut rule.unless)]
            .into_iter()
            .chain(informal)
        {
            let ids = std::mem::take(&mut condition.lists);
            add_named_lists(condition, &ids, &by_id, (&rule.file, &item, key), problems);
            condition.lists = ids;
        }
    }
}

fn lists_by_id(lists: &[NamedList]) -> HashMap<&str, &NamedList> {
    lists.iter().map(|l| (l.id.as_str(), l)).collect()
}

/// Adds the terms and patterns of the `[[list]]`s named by `ids` to `condition`; an unknown
/// list is a problem of the condition `key` of `item` in `file`.
fn add_named_lists(
    condition: &mut Condition,
    ids: &[String],
    by_id: &HashMap<&str, &NamedList>,
    (file, item, key): (&str, &str, &str),
    problems: &mut Vec<Problem>,
) {
    for id in ids {
        match by_id.get(id.as_str()) {
            Some(list) => {
                condition.terms.extend(list.terms.iter().cloned());
                condition.patterns.extend(list.patterns.iter().cloned());
            }
            None => problems.push(problem(file, Some(item), format!("{key}: unknown list `{id}`"))),
        }
    }
}

/// Appends each `[[amend]]`'s `allow` and `unless` (with the `[[list]]`s they name) to its
/// rule's conditions. The rule may come from this ruleset or the one it extends; amending a
/// disabled or unknown rule is an error, so a stale suggestion file does not pass silently.
fn apply_amends(ruleset: &mut Ruleset, amends: Vec<Amend>, problems: &mut Vec<Problem>) {
    let by_id = lists_by_id(&ruleset.lists);
    for amend in &amends {
        let item = format!("amend {}", amend.rule);
        if amend.allow.is_empty()
            && amend.allow.lists.is_empty()
            && amend.unless.is_empty()
            && amend.unless.lists.is_empty()
        {
            problems.push(problem(&amend.file, Some(&item), "has neither allow nor unless"));
            continue;
        }
        let Some(rule) = ruleset.rules.iter_mut().find(|r| r.id == amend.rule) else {
            let why = if ruleset.disabled.contains(&amend.rule) {
                "is disabled"
            } else {
                "is not in the ruleset"
            };
            problems.push(problem(
                &amend.file,
                Some(&item),
                format!("rule `{}` {why}", amend.rule),
            ));
            continue;
        };
        for (key, add, condition) in [
            ("allow", &amend.allow, &mut rule.allow),
            ("unless", &amend.unless, &mut rule.unless),
        ] {
            condition.terms.extend(add.terms.iter().cloned());
            condition.patterns.extend(add.patterns.iter().cloned());
            add_named_lists(condition, &add.lists, &by_id, (&amend.file, &item, key), problems);
            condition.lists.extend(add.lists.iter().cloned());
        }
    }
    ruleset.amends.extend(amends);
}

/// Adds the `[[list]]`s an account rule's `allow` and `unless` name, as for post rules.
fn expand_account_lists(lists: &[NamedList], rules: &mut [AccountRule], problems: &mut Vec<Problem>) {
    let by_id = lists_by_id(lists);
    for rule in rules {
        let item = format!("account_rule {}", rule.id);
        for (key, condition) in [("allow", &mut rule.allow), ("unless", &mut rule.unless)] {
            let ids = std::mem::take(&mut condition.lists);
            add_named_lists(condition, &ids, &by_id, (&rule.file, &item, key), problems);
            condition.lists = ids;
        }
    }
}

/// Compiles the `[[compound]]` lists into each rule: every term of a rule whose case-folded
/// form is a listed term gets that term's compounds, and so does every term of its `informal`
/// cues (`nha` inside `Tây Ban Nha` is not the particle).
fn attach_compounds(ruleset: &mut Ruleset, problems: &mut Vec<Problem>) {
    let mut by_term: HashMap<String, Vec<&str>> = HashMap::new();
    let mut names: HashSet<String> = HashSet::new();
    for list in &ruleset.compound_lists {
        let key = normalise(View::Casefold, &list.term);
        let item = format!("compound {}", list.term);
        if key.trim().is_empty() {
            problems.push(problem(&list.file, Some(&item), "term is empty"));
            continue;
        }
        if list.names {
            names.insert(key.clone());
        }
        for compound in &list.compounds {
            let folded = normalise(View::Casefold, compound);
            let contains = folded
                .match_indices(key.as_str())
                .any(|(i, m)| crate::verify::is_word_bounded(&folded, i, i + m.len()));
            if !contains {
                problems.push(problem(
                    &list.file,
                    Some(&item),
                    format!("compound {compound:?} does not contain the term as a word"),
                ));
                continue;
            }
            by_term.entry(key.clone()).or_default().push(compound);
        }
    }
    for rule in &mut ruleset.rules {
        rule.compounds.clear();
        rule.name_terms.clear();
        rule.informal_compounds.clear();
        for (i, term) in rule.informal.iter().flat_map(|c| c.terms.iter()).enumerate() {
            if let Some(compounds) = by_term.get(&normalise(View::Casefold, term)) {
                rule.informal_compounds.extend(compounds.iter().map(|c| Compound {
                    term: i as u32,
                    text: (*c).to_owned(),
                }));
            }
        }
        for (i, term) in rule.terms.iter().enumerate() {
            let key = normalise(View::Casefold, term);
            if names.contains(&key) {
                rule.name_terms.push(i as u32);
            }
            if let Some(compounds) = by_term.get(&key) {
                rule.compounds.extend(compounds.iter().map(|c| Compound {
                    term: i as u32,
                    text: (*c).to_owned(),
                }));
            }
        }
    }
}

fn clean(e: toml::de::Error) -> String {
    e.message().trim().replace('\n', " ")
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Checks claims (of a ruleset or of a `--claims` file): unique ids, at least one phrasing of
/// enough words, a known clause (whose severity becomes the claim's default), dates, links.
pub fn validate_claims(claims: &mut [Claim], clauses: &[Clause], rule_ids: &[String], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, String> = HashMap::new();
    for claim in claims.iter_mut() {
        let item = format!("claim {}", claim.id);
        let file = claim.file.clone();
        let mut report = |reason: String| problems.push(problem(&file, Some(&item), reason));
        if claim.id.trim().is_empty() {
            report("id is empty".into());
        }
        if let Some(first) = seen.insert(claim.id.clone(), claim.file.clone()) {
            report(format!("duplicate claim id (first defined in {first})"));
        }
        if rule_ids.contains(&claim.id) {
            report("a rule has the same id".into());
        }
        match clauses.iter().find(|c| c.id == claim.clause) {
            Some(clause) => {
                claim.severity.get_or_insert(clause.severity);
            }
            None => report(format!("unknown clause `{}`", claim.clause)),
        }
        if claim.all_phrasings().next().is_none() {
            report("has neither text nor phrasings".into());
        }
        for phrasing in claim.all_phrasings() {
            let words = crate::similarity::word_count(phrasing);
            if words < crate::similarity::MIN_CLAIM_WORDS {
                report(format!(
                    "phrasing {phrasing:?} has {words} words; a claim needs at least {} to be told apart from everyday text",
                    crate::similarity::MIN_CLAIM_WORDS
                ));
            }
        }
        if let Some(date) = &claim.debunked {
            if !is_date(date) {
                report(format!("debunked `{date}` is not a YYYY-MM-DD date"));
            }
        }
        if let Some(url) = &claim.source_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                report(format!("source_url `{url}` is not an http(s) address"));
            }
        }
    }
}

fn validate(ruleset: &mut Ruleset, problems: &mut Vec<Problem>) {
    let mut seen: HashMap<(&str, String), String> = HashMap::new();
    let mut duplicate = |kind: &'static str, id: &str, file: &str, problems: &mut Vec<Problem>| {
        if let Some(first) = seen.insert((kind, id.to_owned()), file.to_owned()) {
            problems.push(problem(
                file,
                Some(&format!("{kind} {id}")),
                format!("duplicate {kind} id (first defined in {first})"),
            ));
        }
    };
    for law in &ruleset.laws {
        duplicate("law", &law.id, &law.file, problems);
    }
    for clause in &ruleset.clauses {
        duplicate("clause", &clause.id, &clause.file, problems);
    }
    for rule in &ruleset.rules {
        duplicate("rule", &rule.id, &rule.file, problems);
    }

    let law_ids: HashSet<&str> = ruleset.laws.iter().map(|l| l.id.as_str()).collect();
    for law in &ruleset.laws {
        let item = format!("law {}", law.id);
        for (key, date) in [("effective", &law.effective), ("until", &law.until)] {
            if let Some(date) = date {
                if !is_date(date) {
                    problems.push(problem(
                        &law.file,
                        Some(&item),
                        format!("{key} `{date}` is not a YYYY-MM-DD date"),
                    ));
                }
            }
        }
        if let Some(next) = &law.superseded_by {
            if !law_ids.contains(next.as_str()) {
                problems.push(problem(
                    &law.file,
                    Some(&item),
                    format!("superseded_by: unknown law `{next}`"),
                ));
            }
        }
    }
    for clause in &ruleset.clauses {
        for reference in &clause.references {
            if !law_ids.contains(reference.law.as_str()) {
                problems.push(problem(
                    &clause.file,
                    Some(&format!("clause {}", clause.id)),
                    format!("references unknown law `{}`", reference.law),
                ));
            }
        }
    }

    let clause_severity: HashMap<String, Severity> =
        ruleset.clauses.iter().map(|c| (c.id.clone(), c.severity)).collect();
    let mut budget = PatternChecks::default();
    for rule in &mut ruleset.rules {
        let item = format!("rule {}", rule.id);
        validate_rule(rule, &item, &clause_severity, &mut budget, problems);
    }
    validate_account_rules(ruleset, &clause_severity, &mut budget, problems);
}

/// The pattern checks of one load, under one time budget: each distinct expression (with its
/// flags) is checked once however many rules and views share it. The bundled ruleset asks
/// 287 checks of 127 distinct patterns, and a check is most of a Hyperscan compile.
#[derive(Default)]
struct PatternChecks {
    budget: CheckBudget,
    answers: HashMap<(String, u32), Option<String>>,
}

impl PatternChecks {
    /// Why `pattern` is refused, if it is.
    fn check(&mut self, pattern: &HsPattern) -> Option<String> {
        let key = (pattern.expression.clone(), pattern.flags);
        if let Some(answer) = self.answers.get(&key) {
            return answer.clone();
        }
        let answer = validate_pattern(pattern, &mut self.budget);
        self.answers.insert(key, answer.clone());
        answer
    }
}

/// Checks one post rule (or an account rule's text part), naming it `item`; resolves its
/// severity from its clause.
fn validate_rule(
    rule: &mut Rule,
    item: &str,
    clause_severity: &HashMap<String, Severity>,
    budget: &mut PatternChecks,
    problems: &mut Vec<Problem>,
) {
    let file = rule.file.clone();
    let mut report = |reason: String| problems.push(problem(&file, Some(item), reason));
    match clause_severity.get(rule.clause.as_str()) {
        Some(&severity) => {
            rule.severity.get_or_insert(severity);
        }
        None => report(format!("unknown clause `{}`", rule.clause)),
    }
    if rule.terms.is_empty() && rule.patterns.is_empty() {
        report("has neither terms nor patterns".into());
    }
    if rule.views.is_empty() {
        report("views is empty".into());
    }
    let mut views_seen = HashSet::new();
    for view in &rule.views {
        if !views_seen.insert(*view) {
            report(format!("view `{view}` listed twice"));
        }
    }
    if !(rule.confidence > 0.0 && rule.confidence <= 1.0) {
        report(format!("confidence {} is not in (0, 1]", rule.confidence));
    }
    for (view, confidence) in &rule.view_confidence {
        if !rule.views.contains(view) {
            report(format!(
                "view_confidence names view `{view}`, which the rule does not match in"
            ));
        }
        if !(*confidence > 0.0 && *confidence <= 1.0) {
            report(format!("view_confidence for `{view}` ({confidence}) is not in (0, 1]"));
        }
    }
    if rule.min_count == 0 {
        report("min_count must be at least 1".into());
    }
    if let Some(near) = &rule.near {
        if near.terms.is_empty() && near.patterns.is_empty() {
            report("near has neither terms nor patterns".into());
        }
    }
    let term_lists = [
        ("terms", &rule.terms),
        ("allow", &rule.allow.terms),
        ("unless", &rule.unless.terms),
    ];
    let near_terms = rule.near.as_ref().map(|n| ("near", &n.terms));
    let informal_terms = rule.informal.as_ref().map(|c| ("informal", &c.terms));
    for (key, terms) in term_lists.into_iter().chain(near_terms).chain(informal_terms) {
        for term in terms {
            for view in &rule.views {
                if normalise(*view, term).trim().is_empty() {
                    report(format!("{key}: term {term:?} is empty in view `{view}`"));
                    break;
                }
            }
        }
    }
    let pattern_lists = [
        ("patterns", &rule.patterns),
        ("allow", &rule.allow.patterns),
        ("unless", &rule.unless.patterns),
    ];
    let near_patterns = rule.near.as_ref().map(|n| ("near", &n.patterns));
    let informal_patterns = rule.informal.as_ref().map(|c| ("informal", &c.patterns));
    for (key, patterns) in pattern_lists.into_iter().chain(near_patterns).chain(informal_patterns) {
        for pattern in patterns {
            for view in &rule.views {
                let compiled = HsPattern::regex(&normalise_pattern(*view, pattern), *view != View::Exact);
                if let Some(reason) = budget.check(&compiled) {
                    report(format!(
                        "{key}: pattern {pattern:?} rejected by Hyperscan in view `{view}`: {reason}"
                    ));
                    break;
                }
            }
        }
    }
}

/// Checks the account rules: ids unique among all rules, clause, fields, check and example
/// keys known, and the terms and patterns as for a post rule.
fn validate_account_rules(
    ruleset: &mut Ruleset,
    clause_severity: &HashMap<String, Severity>,
    budget: &mut PatternChecks,
    problems: &mut Vec<Problem>,
) {
    let mut seen: HashMap<String, String> = ruleset.rules.iter().map(|r| (r.id.clone(), r.file.clone())).collect();
    for rule in &mut ruleset.account_rules {
        let item = format!("account_rule {}", rule.id);
        let file = rule.file.clone();
        let mut report = |reason: String| problems.push(problem(&file, Some(&item), reason));
        if let Some(first) = seen.insert(rule.id.clone(), rule.file.clone()) {
            report(format!("duplicate rule id (first defined in {first})"));
        }
        for field in &rule.fields {
            if !ACCOUNT_FIELDS.contains(&field.as_str()) {
                report(format!(
                    "fields: unknown field `{field}` (known: {})",
                    ACCOUNT_FIELDS.join(", ")
                ));
            }
        }
        if let Some(check) = &rule.check {
            if !ACCOUNT_CHECKS.contains(&check.as_str()) {
                report(format!(
                    "check: unknown check `{check}` (known: {})",
                    ACCOUNT_CHECKS.join(", ")
                ));
            }
        }
        let has_text = !(rule.terms.is_empty() && rule.patterns.is_empty());
        if !has_text && rule.check.is_none() {
            report("has neither terms, patterns nor a check".into());
        }
        if has_text && rule.fields.is_empty() {
            report("terms and patterns need `fields` to look in".into());
        }
        for (key, examples) in [
            ("examples", &rule.examples),
            ("counter_examples", &rule.counter_examples),
        ] {
            for example in examples {
                for name in example.keys() {
                    if name != "account_id" && !ACCOUNT_FIELDS.contains(&name.as_str()) {
                        report(format!("{key}: unknown field `{name}`"));
                    }
                }
            }
        }
        match rule.text_rule() {
            Some(mut text) => {
                validate_rule(&mut text, &item, clause_severity, budget, problems);
                rule.severity = text.severity;
            }
            None => match clause_severity.get(rule.clause.as_str()) {
                Some(&severity) => {
                    rule.severity.get_or_insert(severity);
                }
                None => problems.push(problem(
                    &rule.file,
                    Some(&item),
                    format!("unknown clause `{}`", rule.clause),
                )),
            },
        }
        if !(rule.confidence > 0.0 && rule.confidence <= 1.0) {
            problems.push(problem(
                &rule.file,
                Some(&item),
                format!("confidence {} is not in (0, 1]", rule.confidence),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[ruleset]\nid = \"t\"\nversion = \"1\"\n[[clause]]\nid = \"c\"\ntitle = \"C\"\n";

    fn reasons(text: &str) -> Vec<String> {
        match Ruleset::from_toml(text, "t.toml") {
            Ok(_) => Vec::new(),
            Err(Error::Ruleset(p)) => p.iter().map(|p| p.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn account_rules_load_validate_and_become_text_rules() {
        let r = Ruleset::from_toml(
            &format!(
                "{HEAD}[[account_rule]]\nid = \"a\"\nclause = \"c\"\nfields = [\"display_name\"]\n\
                 terms = [\"Bộ Công an\"]\nviews = [\"skeleton\"]\n\
                 exempt = {{ account_types = [\"agency\"], verified = true }}\n\
                 examples = [{{ display_name = \"B0 Cong An\", verified = false }}]\n\
                 [[account_rule]]\nid = \"b\"\nclause = \"c\"\ncheck = \"unverified\"\n"
            ),
            "t.toml",
        )
        .unwrap();
        assert_eq!(r.account_rules.len(), 2);
        assert_eq!(r.account_rules[1].severity, Some(super::super::Severity::Medium));
        let text = r.account_text_ruleset();
        assert_eq!(text.rules.len(), 1, "the check-only rule has no text part");
        assert_eq!(text.rules[0].id, "a");
        assert!(text.account_rules.is_empty());
        let got = reasons(&format!(
            "{HEAD}[[rule]]\nid = \"a\"\nclause = \"c\"\nterms = [\"x\"]\n\
             [[account_rule]]\nid = \"a\"\nclause = \"c\"\ncheck = \"real_name\"\n\
             [[account_rule]]\nid = \"z\"\nclause = \"c\"\ncheck = \"nope\"\nfields = [\"email\"]\n"
        ));
        assert!(
            got.iter()
                .any(|p| p.contains("account_rule a") && p.contains("duplicate rule id")),
            "{got:?}"
        );
        assert!(got.iter().any(|p| p.contains("unknown check `nope`")), "{got:?}");
        assert!(got.iter().any(|p| p.contains("unknown field `email`")), "{got:?}");
    }

    #[test]
    fn minimal_ruleset_loads_with_defaults() {
        let r = Ruleset::from_toml(
            &format!("{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"x\"]\n"),
            "t.toml",
        )
        .unwrap();
        let rule = &r.rules[0];
        assert_eq!(rule.views, vec![View::Casefold]);
        assert_eq!(rule.severity(), super::super::Severity::Medium);
        assert_eq!(r.sha256.len(), 64);
    }

    #[test]
    fn every_problem_is_named() {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"a\"\nclause = \"nope\"\nterms = [\"x\"]\n\
             [[rule]]\nid = \"a\"\nclause = \"c\"\n\
             [[rule]]\nid = \"b\"\nclause = \"c\"\nterms = [\"x\"]\ntermz = 1\n\
             [[rule]]\nid = \"d\"\nclause = \"c\"\npatterns = [\"(a\", \"ok\", \"b)\"]\n"
        );
        let got = reasons(&text);
        let has = |needle: &str| got.iter().any(|l| l.contains(needle));
        assert!(has("t.toml: rule a: unknown clause `nope`"), "{got:?}");
        assert!(has("rule a: duplicate rule id"), "{got:?}");
        assert!(has("rule a: has neither terms nor patterns"), "{got:?}");
        assert!(has("rule b: unknown field `termz`"), "{got:?}");
        assert!(has("rule d: patterns: pattern \"(a\" rejected by Hyperscan"), "{got:?}");
        assert!(has("rule d: patterns: pattern \"b)\" rejected by Hyperscan"), "{got:?}");
        assert!(!has("\"ok\""), "{got:?}");
    }

    #[test]
    fn patterns_matching_everywhere_are_refused() {
        for (pattern, why) in [
            ("a*", "matches the empty string"),
            ("(?:x)?", "matches the empty string"),
            ("ngu|", "matches the empty string"),
            ("^", "matches the empty string"),
            (".", "matches any single character"),
            ("[^x]", "matches any single character"),
            ("\\w|\\W", "matches any single character"),
            (".{1,3}", "matches any single character"),
        ] {
            let text = format!("{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\npatterns = [{pattern:?}]\n");
            let got = reasons(&text);
            assert_eq!(got.len(), 1, "{pattern}: {got:?}");
            assert!(got[0].starts_with("t.toml: rule r: patterns: pattern"), "{got:?}");
            assert!(got[0].contains(why), "{pattern}: {got:?}");
        }
        for pattern in ["a.b", "\\w+", "\\S+", "ng[uư]+", "x?y"] {
            let text = format!("{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\npatterns = [{pattern:?}]\n");
            assert_eq!(reasons(&text), Vec::<String>::new(), "{pattern}");
        }
    }

    #[test]
    fn toml_syntax_errors_give_the_line() {
        let got = reasons("[ruleset]\nid = \"t\"\n[[rule]\n");
        assert!(got[0].starts_with("t.toml: invalid TOML: line 3"), "{got:?}");
    }

    #[test]
    fn named_lists_are_merged_into_conditions() {
        let r = Ruleset::from_toml(
            &format!(
                "{HEAD}[[list]]\nid = \"news\"\nterms = [\"công an\"]\npatterns = [\"năm \\\\d+\"]\n\
                 [[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"x\"]\n\
                 unless = {{ lists = [\"news\"], terms = [\"cảnh báo\"] }}\n"
            ),
            "t.toml",
        )
        .unwrap();
        let unless = &r.rules[0].unless;
        assert_eq!(unless.terms, vec!["cảnh báo", "công an"]);
        assert_eq!(unless.patterns.len(), 1);
        assert_eq!(unless.lists, vec!["news"]);
        let got = reasons(&format!(
            "{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"x\"]\nunless = {{ lists = [\"nope\"] }}\n"
        ));
        assert!(
            got.iter().any(|l| l.contains("rule r: unless: unknown list `nope`")),
            "{got:?}"
        );
    }

    #[test]
    fn compounds_attach_to_every_rule_with_the_term() {
        let text = format!(
            "{HEAD}[[compound]]\nterm = \"Lũ\"\ncompounds = [\"mùa lũ\", \"lũ lụt\"]\n\
             [[rule]]\nid = \"a\"\nclause = \"c\"\nterms = [\"bọn\", \"lũ\"]\n\
             [[rule]]\nid = \"b\"\nclause = \"c\"\nterms = [\"LŨ\"]\nviews = [\"skeleton\"]\n"
        );
        let r = Ruleset::from_toml(&text, "t.toml").unwrap();
        let a: Vec<_> = r.rules[0].compounds.iter().map(|c| (c.term, c.text.as_str())).collect();
        assert_eq!(a, vec![(1, "mùa lũ"), (1, "lũ lụt")]);
        assert_eq!(r.rules[1].compounds.len(), 2);
        let got = reasons(&format!("{HEAD}[[compound]]\nterm = \"lũ\"\ncompounds = [\"lũng\"]\n"));
        assert!(
            got.iter().any(|l| l.contains("does not contain the term as a word")),
            "{got:?}"
        );
    }

    #[test]
    fn amend_appends_to_a_rule_and_names_a_missing_one() {
        let base = format!(
            "{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"lon\"]\nallow = [\"lon bia\"]\n\
             [[list]]\nid = \"l\"\nterms = [\"bóng đá\"]\n\
             [[amend]]\nrule = \"r\"\nallow = [\"lon sữa\"]\nunless = {{ terms = [\"nhậu\"], lists = [\"l\"] }}\n"
        );
        let ruleset = Ruleset::from_toml(&base, "t.toml").unwrap();
        let rule = ruleset.rule("r").unwrap();
        assert_eq!(rule.allow.terms, vec!["lon bia", "lon sữa"]);
        assert_eq!(rule.unless.terms, vec!["nhậu", "bóng đá"]);
        assert_eq!(ruleset.amends.len(), 1);
        let reasons = reasons(&format!("{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"x\"]\n[[amend]]\nrule = \"gone\"\nallow = [\"y\"]\n[[amend]]\nrule = \"r\"\n"));
        assert!(
            reasons.iter().any(|r| r.contains("rule `gone` is not in the ruleset")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("has neither allow nor unless")),
            "{reasons:?}"
        );
    }

    #[test]
    fn conditions_accept_lists_and_tables() {
        let r = Ruleset::from_toml(
            &format!(
                "{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"lon\"]\nallow = [\"lon bia\"]\n\
                 unless = {{ patterns = [\"giết\\\\s+thời\"] }}\nnear = {{ terms = [\"mày\"], within = 2 }}\n"
            ),
            "t.toml",
        )
        .unwrap();
        let rule = &r.rules[0];
        assert_eq!(rule.allow.terms, vec!["lon bia"]);
        assert_eq!(rule.unless.patterns.len(), 1);
        assert_eq!(rule.near.as_ref().unwrap().within, 2);
    }
}
