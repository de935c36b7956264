//! Register: whether a post reads as edited prose.
//!
//! Some words are contemptuous only in informal writing: `bọn` (a gang), `thằng` (a male),
//! `nhục` (shame), `hèn` (cowardly), `phản động` (reactionary) are insults in a comment and
//! the ordinary vocabulary of history books, news and encyclopedias, which also quote them.
//! A rule with an `informal` condition does not fire on a post written as edited prose: long
//! enough, begun with a capital and ended with a full stop, every sentence capitalised, no
//! shouted word, no emoji, no drawn-out letters, and none of the rule's informal cues
//! (particles, teencode, emoticons, `!` and `?`: data, in the ruleset). The structure is
//! checked here; the cues are matched like any other condition.

use crate::normalise::is_word_char;

/// Fewer words than this is not judged as prose: short comments are where the register cues
/// are missing most often.
pub const PROSE_MIN_WORDS: usize = 10;

/// Characters that may open a sentence before its first letter.
fn is_opening(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '-' | '–' | '—')
}

/// Characters that may close a sentence after its final stop.
fn is_closing(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '”' | '’' | '\'' | ')' | ']' | '»')
}

/// Emoji and pictographs: never in edited prose.
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF)
}

/// Quotation marks that close a quotation: a quotation may end on its own `!` or `?`.
fn is_closing_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '»')
}

/// Byte ranges of the quotations in `text`: between `“` and `”`, `«` and `»`, or a pair of
/// straight `"` (counted from the start of the post). An unclosed quotation runs to the end.
/// Edited prose quotes speech, slogans and titles in the words of their speakers (`"Ê, mày
/// đang đi đâu đó?"`), so informal cues inside them do not make the post informal.
pub fn quotations(text: &str) -> Vec<(u32, u32)> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, '"' | '“' | '«') => open = Some((i, c)),
            (Some((start, '"')), '"') | (Some((start, '“')), '”') | (Some((start, '«')), '»') => {
                spans.push((start as u32, (i + c.len_utf8()) as u32));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((start, _)) = open {
        spans.push((start as u32, text.len() as u32));
    }
    spans
}

/// Whether `text` has the shape of edited prose: at least [`PROSE_MIN_WORDS`] words; the
/// first letter or digit (after opening quotes, brackets and dashes) not in lower case; the
/// last character (before closing quotes and brackets) `.`, `…`, `;` or `:`, or `!` or `?`
/// closing a quotation (`… "Khốn thay!"`); no lower-case
/// letter opening a sentence after `.`, `!`, `?` or `…`; no shouted word (two or more
/// upper-case letters, one of them outside ASCII: `VÔ HỌC`, not `UNESCO`); no emoji; no
/// lower-case letter written three times in a row (`nguuu`). The informal cues of the rule are
/// checked by the caller.
pub fn is_edited_prose(text: &str) -> bool {
    let Some(first) = text.chars().find(|&c| !is_opening(c)) else {
        return false;
    };
    if first.is_lowercase() || !(first.is_alphanumeric()) {
        return false;
    }
    let mut tail = text.chars().rev().skip_while(|&c| c.is_whitespace());
    let quoted_end = tail.clone().next().is_some_and(is_closing_quote);
    match tail.find(|&c| !is_closing(c)) {
        Some('.' | '…' | ';' | ':') => {}
        Some('!' | '?') if quoted_end => {}
        _ => return false,
    }
    let mut words = 0;
    let mut in_word = false;
    // Upper-case letters of the current word, and whether one is outside ASCII.
    let (mut upper, mut lower, mut wide) = (0, 0, false);
    // After a sentence stop and the spaces following it.
    let mut after_stop = false;
    let mut stop_seen = false;
    let mut run = (' ', 0);
    for c in text.chars() {
        if is_emoji(c) {
            return false;
        }
        run = if c == run.0 { (c, run.1 + 1) } else { (c, 1) };
        if run.1 >= 3 && c.is_lowercase() {
            return false;
        }
        let w = is_word_char(c);
        if w && !in_word {
            words += 1;
            (upper, lower, wide) = (0, 0, false);
        }
        if w {
            if c.is_uppercase() {
                upper += 1;
                wide |= !c.is_ascii();
            } else if c.is_lowercase() {
                lower += 1;
            }
        } else if in_word && upper >= 2 && lower == 0 && wide {
            return false;
        }
        in_word = w;
        if after_stop && !c.is_whitespace() {
            if c.is_lowercase() {
                return false;
            }
            after_stop = false;
        }
        if matches!(c, '.' | '!' | '?' | '…') {
            stop_seen = true;
        } else if stop_seen && c.is_whitespace() {
            after_stop = true;
            stop_seen = false;
        } else {
            stop_seen = false;
        }
    }
    if in_word && upper >= 2 && lower == 0 && wide {
        return false;
    }
    words >= PROSE_MIN_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encyclopedic_sentences_are_prose() {
        assert!(is_edited_prose(
            "Tổ chức đã thẳng tay trừng trị bọn Việt gian phản quốc, giữ vững chính quyền cách mạng."
        ));
        assert!(is_edited_prose(
            "Ông gọi cuộc thảm sát là “phán xét xứng đáng của Chúa trời cho bọn man rợ bẩn thỉu”."
        ));
        assert!(is_edited_prose(
            "2006: UNESCO công nhận di sản này, và các nhà sử học gọi đó là một sự kiện lớn."
        ));
    }

    #[test]
    fn quotations_are_paired_by_their_marks() {
        let text = "Ông nói \"mày đi đâu?\" và “tao” hay «nó», rồi \"chưa đóng";
        let quoted: Vec<&str> = quotations(text)
            .iter()
            .map(|&(a, b)| &text[a as usize..b as usize])
            .collect();
        assert_eq!(quoted, ["\"mày đi đâu?\"", "“tao”", "«nó»", "\"chưa đóng"]);
        assert!(quotations("Không có trích dẫn nào ở đây.").is_empty());
    }

    #[test]
    fn a_quotation_may_end_the_post_on_its_own_stop() {
        assert!(is_edited_prose(
            "Ê trong tiếng Việt có thể dùng như một tiếng gọi \"Ê, mày đang đi đâu đó?\""
        ));
        assert!(is_edited_prose(
            "Một con đại bàng bay giữa trời và kêu lớn tiếng “Khốn thay!”"
        ));
        // Not without the quotation mark.
        assert!(!is_edited_prose(
            "Ê trong tiếng Việt có thể dùng như một tiếng gọi, mày đang đi đâu đó?"
        ));
    }

    #[test]
    fn comments_are_not_prose() {
        // Too short, lower-case start, no final stop.
        assert!(!is_edited_prose("Bọn này vô học."));
        assert!(!is_edited_prose(
            "bọn này vô học, lại thích khoe khoang để lấy thành tích, viết câu tối nghĩa."
        ));
        assert!(!is_edited_prose(
            "Bọn này vô học, lại thích khoe khoang để lấy thành tích, viết câu tối nghĩa"
        ));
        // A sentence begun in lower case, a shouted word, an emoji, a drawn-out letter.
        assert!(!is_edited_prose(
            "Một chế độ thối nát. toàn những kẻ bầu cho nhau lên làm lãnh đạo thì dân khổ."
        ));
        assert!(!is_edited_prose(
            "Côn đồ cục súc VÔ NHÂN TÍNH, đề nghị nhà nước ban thưởng cho những người dũng cảm."
        ));
        assert!(!is_edited_prose(
            "Chương trình riết nhảm, mời những kẻ tục tỉu vô văn hóa lên truyền hình 😡."
        ));
        assert!(!is_edited_prose(
            "Chương trình riết nhảm, mời những kẻ tục tỉu vô văn hóa lên truyền hình nguuu."
        ));
    }
}
