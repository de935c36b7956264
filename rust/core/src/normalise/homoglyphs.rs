//! The skeleton view's character map: what a character of the fold view looks like, as fold
//! text. Generated from Unicode data into `homoglyphs.tsv` (see the file's header and
//! README, "Unicode data"):
//!
//! - UTS #39 confusables (the prototype of each character, from the `unicode-security` crate),
//!   put through the fold view, so Cherokee `Ꭰ` (prototype `D`) is `d` and `ł` (`l` with an
//!   overlay) is `l`. A fold character may come from an upper-case letter whose prototype is
//!   plainer than its own (Greek `β` folds from `Β`, prototype `B`; `β`'s own is `ß`), so the
//!   shortest ASCII result among the character and its case preimages wins;
//! - letters that UTS #39 leaves alone but whose Unicode name says which Latin letter they
//!   are: small capitals (`ꜰ` LATIN LETTER SMALL CAPITAL F) and negative squared or circled
//!   capitals (`🅵`, `🅕`), which no normalisation maps;
//! - repeated until nothing changes (Cyrillic `в` → small capital `ʙ` → `b`);
//! - kept only when the result is ASCII: the skeleton undoes disguises of Latin-script words
//!   (whose fold view is ASCII); look-alikes between other scripts (Cyrillic `п` → Greek `π`,
//!   Hangul jamo → CJK strokes) are left alone, so text in those scripts keeps its letters.
//!
//! ASCII characters are never mapped: UTS #39 maps `m` to `rn`, `0` to `O`, `1` and `I` to
//! `l`, which would make innocent ASCII text match other words (`corn` ↔ `com`); digits are
//! leetspeak, handled only inside words (see [`super::skeleton`]).

use std::sync::OnceLock;

/// The generated table: `source<TAB>target code points<TAB># comment`, one character a line.
const DATA: &str = include_str!("homoglyphs.tsv");

/// The character map, parsed from [`DATA`] on first use.
pub struct Homoglyphs {
    /// For every BMP character: 0, or the target's `offset << 8 | len` in `pool`.
    bmp: Vec<u32>,
    /// Astral characters, sorted, with the same encoding.
    astral: Vec<(u32, u32)>,
    pool: String,
}

impl Homoglyphs {
    /// The table, parsed on first use (under a millisecond).
    pub fn get() -> &'static Homoglyphs {
        static TABLE: OnceLock<Homoglyphs> = OnceLock::new();
        TABLE.get_or_init(|| Homoglyphs::parse(DATA))
    }

    fn parse(data: &str) -> Homoglyphs {
        let mut table = Homoglyphs {
            bmp: vec![0; 0x10000],
            astral: Vec::new(),
            pool: String::new(),
        };
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let source = fields.next().and_then(parse_char).expect("homoglyphs.tsv: bad source");
            let target: String = fields
                .next()
                .expect("homoglyphs.tsv: no target")
                .split(' ')
                .map(|hex| parse_char(hex).expect("homoglyphs.tsv: bad target"))
                .collect();
            let code = (table.pool.len() as u32) << 8 | target.len() as u32;
            table.pool.push_str(&target);
            match table.bmp.get_mut(source as usize) {
                Some(slot) => *slot = code,
                None => table.astral.push((source as u32, code)),
            }
        }
        table.astral.sort_unstable();
        table
    }

    /// What `c` looks like, when that is not `c` itself.
    #[inline]
    pub fn map(&self, c: char) -> Option<&str> {
        let code = match self.bmp.get(c as usize) {
            Some(&code) => code,
            None => {
                let at = self.astral.binary_search_by_key(&(c as u32), |&(u, _)| u).ok()?;
                self.astral[at].1
            }
        };
        if code == 0 {
            return None;
        }
        let (offset, len) = ((code >> 8) as usize, (code & 0xFF) as usize);
        Some(&self.pool[offset..offset + len])
    }

    /// Every mapped character with its target, in code point order.
    pub fn entries(&self) -> impl Iterator<Item = (char, &str)> + '_ {
        (0..0x10000u32)
            .chain(self.astral.iter().map(|&(u, _)| u))
            .filter_map(char::from_u32)
            .filter_map(|c| self.map(c).map(|t| (c, t)))
    }
}

fn parse_char(hex: &str) -> Option<char> {
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::super::{View, ViewSet, ViewTexts};

    /// The skeleton of `text`, checking that every byte of it maps back inside `text`.
    fn skeleton(text: &str) -> String {
        let mut views = ViewTexts::default();
        views.build(text, ViewSet::of(View::Skeleton), true);
        let out = views.text(View::Skeleton).to_string();
        for i in 0..out.len() {
            let (s, e) = views.to_original(View::Skeleton, i, i + 1);
            assert!(s < e && e <= text.len(), "{text:?}: byte {i} -> {s}..{e}");
        }
        out
    }

    fn table(script: &str, cases: &[(&str, &str)]) {
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|&(text, expected)| {
                let got = skeleton(text);
                (got != expected).then(|| format!("{text:?} -> {got:?}, expected {expected:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{script}:\n{}", failures.join("\n"));
    }

    #[test]
    fn cyrillic() {
        table(
            "Cyrillic",
            &[
                ("fuсk", "fuck"),
                ("bіtсh", "bitch"),
                ("ѕһіт", "shit"),
                ("ВІТСН", "bitch"),
                ("роrn", "porn"),
                ("ԁӏck", "dlck"),
                // й folds to и (breve dropped), which looks like no Latin letter: kept.
                ("хуй", "xyи"),
            ],
        );
    }

    #[test]
    fn greek() {
        table(
            "Greek",
            &[
                ("fυck", "fuck"),
                ("κill", "kil"),
                ("ρorn", "porn"),
                ("ΤΟΡ", "top"),
                ("ΒΙΤ", "bit"),
                ("νiξ", "viξ"),
            ],
        );
    }

    #[test]
    fn armenian() {
        table(
            "Armenian",
            &[("fսck", "fuck"), ("sհit", "shit"), ("bօօbs", "bobs"), ("գ", "q")],
        );
    }

    #[test]
    fn cherokee() {
        // Cherokee small letters fold to the capitals, whose prototypes are Latin capitals.
        table("Cherokee", &[("ᏟᎪᎢ", "cat"), ("ꮯꭺꭲ", "cat"), ("ᎠᎡᎢ", "drt")]);
    }

    #[test]
    fn small_capitals() {
        table(
            "small capitals",
            &[("ꜰᴜᴄᴋ", "fuck"), ("ʙɪᴛᴄʜ", "bitch"), ("ᴅɪᴛ ᴍᴇ", "dit me")],
        );
    }

    #[test]
    fn mathematical_alphanumerics() {
        table(
            "mathematical alphanumerics",
            &[
                ("𝐟𝐮𝐜𝐤", "fuck"),
                ("𝓯𝓾𝓬𝓴", "fuck"),
                ("𝔣𝔲𝔠𝔨", "fuck"),
                ("𝕗𝕦𝕔𝕜", "fuck"),
                ("𝚏𝚞𝚌𝚔", "fuck"),
                ("𝗙𝗨𝗖𝗞", "fuck"),
                ("𝟎𝟏", "01"),
            ],
        );
    }

    #[test]
    fn enclosed_and_squared_letters() {
        table(
            "enclosed and squared letters",
            &[
                ("🄵🅄🄲🄺 you", "fuck you"),
                ("🅵🆄🅲🅺", "fuck"),
                ("ⓕⓤⓒⓚ", "fuck"),
                ("🅕🅤🅒🅚", "fuck"),
                // Parenthesized letters are "(f)" in NFKC: not joined (documented).
                ("⒡⒰", "(f)(u)"),
                // Regional indicators make flags: left alone.
                ("🇻🇳", "🇻🇳"),
            ],
        );
    }

    #[test]
    fn fullwidth() {
        table(
            "fullwidth",
            &[("ｆｕｃｋ", "fuck"), ("ＦＵＣＫ", "fuck"), ("ｄ．ｉ．ｔ", "dit")],
        );
    }

    #[test]
    fn ascii_and_vietnamese_are_not_remapped() {
        table(
            "ASCII and Vietnamese",
            &[
                // UTS #39 maps m → rn, 0 → O, 1 → l: not here.
                ("corn", "corn"),
                ("com", "com"),
                ("0 1 l I |", "0 1 l i |"),
                ("năm 2021", "nam 2021"),
                // Non-ASCII m look-alikes meet the m of the text.
                ("ɱẹ", "me"),
                ("đơư Đồ ngốc", "dou do ngoc"),
            ],
        );
    }

    #[test]
    fn the_table_is_ascii_and_skips_ascii() {
        let mut n = 0;
        for (c, target) in super::Homoglyphs::get().entries() {
            assert!(
                !c.is_ascii() && target.is_ascii() && !target.is_empty(),
                "{c:?} -> {target:?}"
            );
            n += 1;
        }
        assert!(n > 1000, "only {n} homoglyphs");
    }
}

#[cfg(test)]
mod generate {
    //! The generator of `homoglyphs.tsv`, run as a test: it checks the committed file against
    //! the data (so an update of the Unicode crates that changes the map fails here), and with
    //! `CONDUCT_SCAN_REGENERATE=1` rewrites it. Character names come from `UnicodeData.txt`
    //! (Debian's `unicode-data`, or `$UNICODE_DATA_DIR`); without it the test says so and passes.

    use std::collections::HashMap;
    use std::fmt::Write as _;
    use std::path::PathBuf;

    use icu_properties::props::GeneralCategory;
    use icu_properties::CodePointMapData;

    use super::super::{normalise, View};

    fn fold(s: &str) -> String {
        normalise(View::Fold, s)
    }

    /// UTS #39 prototype of one character.
    fn prototype(c: char) -> String {
        unicode_security::skeleton(&c.to_string()).collect()
    }

    /// The Latin letter a character's name says it is, for the kinds that UTS #39 and
    /// normalisation leave alone.
    fn letter_by_name(name: &str) -> Option<char> {
        const KINDS: [&str; 3] = [
            "LATIN LETTER SMALL CAPITAL ",
            "NEGATIVE SQUARED LATIN CAPITAL LETTER ",
            "NEGATIVE CIRCLED LATIN CAPITAL LETTER ",
        ];
        let rest = KINDS.iter().find_map(|kind| name.strip_prefix(kind))?;
        let mut letters = rest.chars();
        match (letters.next(), letters.next()) {
            (Some(l @ 'A'..='Z'), None) => Some(l.to_ascii_lowercase()),
            _ => None,
        }
    }

    struct Generator {
        names: HashMap<char, String>,
        /// Characters whose fold is exactly the key (its upper-case and compatibility forms).
        preimages: HashMap<char, Vec<char>>,
        version: String,
    }

    impl Generator {
        fn new(dir: &std::path::Path) -> Generator {
            let text = std::fs::read_to_string(dir.join("UnicodeData.txt")).unwrap();
            let names = text
                .lines()
                .filter_map(|line| {
                    let mut fields = line.split(';');
                    let c = super::parse_char(fields.next()?)?;
                    let name = fields.next()?;
                    (!name.starts_with('<')).then(|| (c, name.to_string()))
                })
                .collect();
            let version = std::fs::read_to_string(dir.join("DerivedAge.txt"))
                .ok()
                .and_then(|t| {
                    t.lines().next().map(|l| {
                        l.trim_start_matches("# DerivedAge-")
                            .trim_end_matches(".txt")
                            .to_string()
                    })
                })
                .unwrap_or_else(|| "unknown".to_string());
            let mut preimages: HashMap<char, Vec<char>> = HashMap::new();
            for c in assigned() {
                let f = fold(&c.to_string());
                let mut chars = f.chars();
                if let (Some(one), None) = (chars.next(), chars.next()) {
                    if one != c {
                        preimages.entry(one).or_default().push(c);
                    }
                }
            }
            Generator {
                names,
                preimages,
                version,
            }
        }

        /// One character's look-alike in fold text, one step.
        fn step(&self, d: char) -> String {
            if d.is_ascii() {
                return d.to_string();
            }
            if let Some(l) = self.names.get(&d).and_then(|n| letter_by_name(n)) {
                return l.to_string();
            }
            let own = fold(&prototype(d));
            let mut best: Option<String> = None;
            let candidates = std::iter::once(d).chain(self.preimages.get(&d).into_iter().flatten().copied());
            for x in candidates {
                let r = fold(&prototype(x));
                let better = r.is_ascii()
                    && !r.is_empty()
                    && best.as_ref().is_none_or(|b| r.chars().count() < b.chars().count());
                if better {
                    best = Some(r);
                }
            }
            best.unwrap_or(own)
        }

        /// The skeleton character map of `c`: steps until nothing changes. A result that is
        /// the prototype of an ASCII letter other than itself (`rn`, of `m`) is that letter:
        /// ASCII is not mapped, so `ɱ` must meet the `m` of the text.
        fn map(&self, c: char) -> String {
            let mut t = c.to_string();
            for _ in 0..8 {
                let next = fold(&t.chars().map(|d| self.step(d)).collect::<String>());
                if next == t {
                    return ('a'..='z')
                        .find(|&x| fold(&prototype(x)) == t && t != x.to_string())
                        .map_or(t, String::from);
                }
                t = next;
            }
            panic!("the skeleton of {c:?} does not settle: {t:?}");
        }

        fn table(&self) -> String {
            let mut out = String::new();
            writeln!(
                out,
                "# The skeleton view's character map (see homoglyphs.rs and README, \"Unicode data\")."
            )
            .unwrap();
            writeln!(
                out,
                "# GENERATED: CONDUCT_SCAN_REGENERATE=1 cargo test -p conduct-scan-core homoglyphs_tsv"
            )
            .unwrap();
            let (a, b, c) = unicode_security::UNICODE_VERSION;
            let (d, e, f) = unicode_normalization::UNICODE_VERSION;
            writeln!(out, "# UTS #39 confusables: unicode-security crate, Unicode {a}.{b}.{c}; fold: unicode-normalization (Unicode {d}.{e}.{f}) and ICU4X case folding;").unwrap();
            writeln!(
                out,
                "# names (small capitals, negative squared/circled letters): UnicodeData.txt {}.",
                self.version
            )
            .unwrap();
            writeln!(out, "# source<TAB>target<TAB># source name -> target, why").unwrap();
            for c in assigned() {
                if c.is_ascii() || fold(&c.to_string()) != c.to_string() {
                    continue;
                }
                let target = self.map(c);
                // Only disguises of ASCII (the fold view of Vietnamese and English): look-alikes
                // between other scripts are left alone, so their text keeps its letters.
                if target == c.to_string() || target.is_empty() || !target.is_ascii() {
                    continue;
                }
                let by_name = self.names.get(&c).and_then(|n| letter_by_name(n)).is_some();
                let hex: Vec<String> = target.chars().map(|t| format!("{:04X}", t as u32)).collect();
                let name = self.names.get(&c).map(String::as_str).unwrap_or("?");
                let shown: String = target
                    .chars()
                    .map(|t| if t.is_control() || t.is_whitespace() { '·' } else { t })
                    .collect();
                writeln!(
                    out,
                    "{:04X}\t{}\t# {name} -> {shown} ({})",
                    c as u32,
                    hex.join(" "),
                    if by_name { "name" } else { "UTS #39" }
                )
                .unwrap();
            }
            out
        }
    }

    /// Assigned code points (Unicode data of ICU4X), without private use and surrogates.
    fn assigned() -> impl Iterator<Item = char> {
        let gc = CodePointMapData::<GeneralCategory>::new();
        (0..=0x10FFFFu32).filter_map(char::from_u32).filter(move |&c| {
            !matches!(
                gc.get(c),
                GeneralCategory::Unassigned | GeneralCategory::PrivateUse | GeneralCategory::Surrogate
            )
        })
    }

    #[test]
    fn homoglyphs_tsv_is_generated_from_the_data() {
        let dir = std::env::var_os("UNICODE_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/share/unicode"));
        if !dir.join("UnicodeData.txt").is_file() {
            eprintln!(
                "skipped: no UnicodeData.txt in {} (apt-get install unicode-data)",
                dir.display()
            );
            return;
        }
        let generator = Generator::new(&dir);
        let table = generator.table();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/normalise/homoglyphs.tsv");
        if std::env::var_os("CONDUCT_SCAN_REGENERATE").is_some() {
            std::fs::write(&path, &table).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap();
        let names_from = format!("UnicodeData.txt {}.", generator.version);
        if !committed.lines().take(5).any(|line| line.ends_with(&names_from)) {
            // Another Debian release names other characters: the table is only comparable
            // with the names it was generated from.
            eprintln!(
                "skipped: homoglyphs.tsv was generated with another {} version",
                dir.display()
            );
            return;
        }
        assert!(
            committed == table,
            "{} is not what the Unicode data gives: regenerate it with \
             CONDUCT_SCAN_REGENERATE=1 cargo test -p conduct-scan-core homoglyphs_tsv",
            path.display()
        );
    }
}
